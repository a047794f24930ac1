package dev.webshell.detector.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.e2e.DetectorProcess;
import dev.webshell.detector.e2e.Traffic;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances with one application id share the input partitions; one is killed with SIGKILL and
 * the other (with a standby replica of its state) takes all partitions over; the alert stream stays
 * exactly {@code scan}'s.
 */
class FailoverTest {
  private static final String APP = "failover";
  @AutoClose private static EmbeddedKafkaCluster kafka;

  @TempDir Path tmp;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaCluster.start(1);
  }

  @Test
  void shouldShareThePartitionsBetweenTwoInstancesAndFailOverExactlyWhenOneIsKilled()
      throws Exception {
    kafka.createTopic("events", 4, (short) 1);
    kafka.createTopic("alerts", 3, (short) 1);
    kafka.createTopic("dead-letters", 1, (short) 1);
    List<Traffic.Event> events = Traffic.events(77, 6_000, 40, 0.015);
    Map<String, List<JsonNode>> expected =
        Traffic.expectedAlerts(events.stream().map(Traffic.Event::json).toList());
    List<Traffic.Event> first = events.subList(0, 3_000);
    Map<String, List<JsonNode>> expectedFirst =
        Traffic.expectedAlerts(first.stream().map(Traffic.Event::json).toList());

    try (DetectorProcess a = start("a");
        DetectorProcess b = start("b")) {
      a.awaitRunning(1, Duration.ofSeconds(90));
      b.awaitRunning(1, Duration.ofSeconds(90));
      Map<String, Set<Integer>> owners = awaitInputOwners(2, Duration.ofSeconds(60));
      System.out.println("failover: input partitions by instance before the kill: " + owners);
      assertEquals(2, owners.size(), "both instances own input partitions: " + owners);

      Traffic.produce(kafka.clientConfig(), Traffic.records("events", first));
      List<ConsumerRecord<byte[], byte[]>> before =
          Traffic.readCommitted(
              kafka.clientConfig(),
              "alerts",
              Traffic.count(expectedFirst),
              Duration.ofSeconds(90),
              Duration.ZERO);
      assertEquals(Traffic.count(expectedFirst), before.size(), "alerts of the first half");

      long t0 = System.nanoTime();
      a.kill9();
      Traffic.produce(
          kafka.clientConfig(), Traffic.records("events", events.subList(3_000, events.size())));
      Map<String, Set<Integer>> after = awaitInputOwners(1, Duration.ofSeconds(90));
      System.out.printf(
          "failover: %d ms from kill -9 to one instance owning %s%n",
          (System.nanoTime() - t0) / 1_000_000, after);
      assertEquals(Set.of(0, 1, 2, 3), after.values().iterator().next());

      List<ConsumerRecord<byte[], byte[]>> alerts =
          Traffic.readCommitted(
              kafka.clientConfig(),
              "alerts",
              Traffic.count(expected),
              Duration.ofSeconds(120),
              Duration.ofSeconds(3));
      System.out.printf(
          "failover: %d expected revisions, %d committed (%d before the kill)%n",
          Traffic.count(expected), alerts.size(), before.size());
      assertEquals(expected, Traffic.byDevice(Traffic.values(alerts)), b.output());
      assertTrue(b.isAlive(), b.output());
    }
  }

  private DetectorProcess start(String name) {
    return DetectorProcess.start(
        tmp,
        name,
        DetectorProcess.runArgs(
            kafka.bootstrapServers(),
            "events",
            "alerts",
            "dead-letters",
            APP,
            tmp.resolve("state-" + name),
            "--num-standby-replicas",
            "1"));
  }

  /**
   * Input partitions by instance (the consumers of all its stream threads: client ids {@code
   * <app>-<process id>-StreamThread-<n>-consumer}), once exactly {@code instances} instances are in
   * the group and own all four.
   */
  private static Map<String, Set<Integer>> awaitInputOwners(int instances, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Set<Integer>> owners = Map.of();
    while (System.nanoTime() < deadline) {
      ConsumerGroupDescription group =
          kafka
              .admin()
              .describeConsumerGroups(List.of(APP))
              .describedGroups()
              .get(APP)
              .get(10, TimeUnit.SECONDS);
      owners = new java.util.TreeMap<>();
      Set<String> members = new TreeSet<>();
      for (MemberDescription m : group.members()) {
        String instance = m.clientId().replaceAll("-StreamThread-\\d+-consumer$", "");
        members.add(instance);
        for (TopicPartition tp : m.assignment().topicPartitions()) {
          if (tp.topic().equals("events")) {
            owners.computeIfAbsent(instance, k -> new TreeSet<>()).add(tp.partition());
          }
        }
      }
      int total = owners.values().stream().mapToInt(Set::size).sum();
      if (owners.size() == instances && total == 4 && members.size() == instances) {
        return owners;
      }
      Thread.sleep(500);
    }
    return owners;
  }
}
