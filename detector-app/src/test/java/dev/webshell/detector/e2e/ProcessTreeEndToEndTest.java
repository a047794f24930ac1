package dev.webshell.detector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.generator.ProcessTreeTraffic;
import dev.webshell.detector.generator.WindowsEventJson;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Windows process trees on a real broker: Sysmon and ECS records on three partitions go through the
 * {@code processes-by-host} repartition to the process tree, and the alerts, grandparents included,
 * are the ones {@code scan} gives for the same lines (which the process-tree differential test
 * holds against a reference of SPEC 6.4).
 */
class ProcessTreeEndToEndTest {
  private static final Function<byte[], String> UTF8 = b -> new String(b, StandardCharsets.UTF_8);

  @AutoClose static EmbeddedKafkaCluster kafka;
  @TempDir Path stateDir;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaCluster.start(1);
  }

  /** {@code n} records one second apart, ending about an hour ago, with some out of order. */
  private static List<ProcessTreeTraffic.Record> records(long seed, int n) {
    ProcessTreeTraffic traffic = new ProcessTreeTraffic(seed, 10, 0.02, 0.05);
    long start = Timestamps.toMicros(Instant.now().minus(Duration.ofHours(1)).minusSeconds(n));
    List<ProcessTreeTraffic.Record> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(traffic.next(start + i * 1_000_000L));
    }
    return out;
  }

  private static List<String> lines(List<ProcessTreeTraffic.Record> rs, WindowsEventJson.Shape s) {
    return rs.stream().map(r -> WindowsEventJson.toJson(r, s)).toList();
  }

  private DetectorService.Running detector(String name, InputFormat format) {
    return new DetectorService(
            Detectors.reading(kafka, name, name, format, stateDir).partitions(3).build())
        .start();
  }

  private static boolean hasGrandparent(String alert) {
    try {
      JsonNode names = Traffic.JSON.readTree(alert).get("initiatingProcessParentFileNames");
      return names != null && names.size() > 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void shouldWriteExactlyTheRevisionsScanPrintsForSysmonRecordsKeyedByHostOnThreePartitions() {
    List<ProcessTreeTraffic.Record> records = records(41, 3000);
    List<String> lines = lines(records, WindowsEventJson.Shape.SYSMON);
    List<String> expected = Traffic.scanLines(lines);
    assertTrue(expected.size() >= 5, "intrusions in the traffic: " + expected.size());
    assertTrue(
        expected.stream().anyMatch(ProcessTreeEndToEndTest::hasGrandparent),
        "a web server's grandchild matched with its grandparent's name");
    kafka.createTopic("sysmon-keyed", 3, (short) 1);
    List<ProducerRecord<byte[], byte[]>> produced = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      produced.add(
          new ProducerRecord<>(
              "sysmon-keyed",
              records.get(i).host().getBytes(StandardCharsets.UTF_8),
              lines.get(i).getBytes(StandardCharsets.UTF_8)));
    }
    Traffic.produce(kafka.clientConfig(), produced);

    try (DetectorService.Running running = detector("sysmon-keyed", InputFormat.AUTO)) {
      List<String> actual =
          Topics.readCommitted(
              kafka.clientConfig(),
              "sysmon-keyed-alerts",
              expected.size(),
              Duration.ofSeconds(120),
              UTF8);
      assertEquals(expected.size(), actual.size(), "revisions (none missing, none duplicated)");
      assertEquals(Traffic.linesByDevice(expected), Traffic.linesByDevice(actual));
    }
  }

  @Test
  void shouldFindEveryMatchScanFindsForEcsRecordsNotKeyedAndSpreadOverThreePartitions() {
    List<ProcessTreeTraffic.Record> records = records(42, 3000);
    List<String> lines = lines(records, WindowsEventJson.Shape.ECS);
    Map<String, String> expected = lastRevisions(Traffic.scanLines(lines));
    assertTrue(expected.size() >= 2, "devices with alerts: " + expected.keySet());
    kafka.createTopic("ecs-spread", 3, (short) 1);
    List<ProducerRecord<byte[], byte[]>> produced = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      // no key, partitions in turn: a host's parent and child are read by different tasks
      produced.add(
          new ProducerRecord<>(
              "ecs-spread", i % 3, null, lines.get(i).getBytes(StandardCharsets.UTF_8)));
    }
    Traffic.produce(kafka.clientConfig(), produced);

    try (DetectorService.Running running = detector("ecs-spread", InputFormat.ECS)) {
      Map<String, String> actual = Map.of();
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (System.nanoTime() < deadline && !view(actual).equals(view(expected))) {
        actual =
            lastRevisions(
                Topics.readCommitted(
                    kafka.clientConfig(),
                    "ecs-spread-alerts",
                    Integer.MAX_VALUE,
                    Duration.ofSeconds(10),
                    UTF8));
      }
      // the order of a device's matches differs across partitions, and with it which repeats each
      // revision counts (SPEC 4: a repeat emits nothing); the command lines found may not differ
      assertEquals(view(expected), view(actual));
      assertTrue(
          actual.values().stream().anyMatch(ProcessTreeEndToEndTest::hasGrandparent),
          "a grandchild matched through the tree, its parent read by another task");
    }
  }

  /** Per device, its alert's last revision. */
  private static Map<String, String> lastRevisions(List<String> alerts) {
    Map<String, String> out = new TreeMap<>();
    Traffic.linesByDevice(alerts)
        .forEach((device, revs) -> out.put(device, revs.get(revs.size() - 1)));
    return out;
  }

  /** Per device: the distinct command lines of its alert. */
  private static Map<String, String> view(Map<String, String> last) {
    Map<String, String> out = new TreeMap<>();
    last.forEach(
        (device, alert) -> {
          try {
            JsonNode a = Traffic.JSON.readTree(alert);
            out.put(device, sorted(a.get("commandLines")).toString());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    return out;
  }

  private static TreeSet<String> sorted(JsonNode array) {
    TreeSet<String> out = new TreeSet<>();
    if (array != null) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }
}
