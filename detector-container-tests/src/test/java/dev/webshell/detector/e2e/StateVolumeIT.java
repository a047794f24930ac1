package dev.webshell.detector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.generator.EventJson;
import dev.webshell.schema.DeviceProcessEvent;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image's state directory ({@value DetectorContainer#STATE_DIR}, its VOLUME) on a named Docker
 * volume: a second container on the same volume carries on where the first stopped.
 */
class StateVolumeIT {
  private static final String EVENTS = "container-state-events";
  private static final String ALERTS = "container-state-alerts";
  private static final String APPLICATION = "container-state";
  private static final String APP_DIR = DetectorContainer.STATE_DIR + "/" + APPLICATION;
  private static final Duration GRACE = Duration.ofSeconds(30);

  static EmbeddedKafkaCluster kafka;
  static String volume;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaCluster.start(1);
    volume = DetectorContainer.createVolume("web-shell-detector-it-state");
  }

  @AfterAll
  static void stop() {
    if (volume != null) {
      DetectorContainer.removeVolume(volume);
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void shouldKeepItsStateOnTheVolumeAcrossAContainerRestartAndRepeatNoRevision() {
    List<DeviceProcessEvent> events = Traffic.events(33, 4000, 150);
    int half = events.size() / 2;
    List<String> expected = Traffic.scan(events);
    List<String> expectedFirstHalf = Traffic.scan(events.subList(0, half));
    kafka.createTopic(EVENTS, 3, (short) 1);
    Topics.produce(kafka.clientConfig(), EVENTS, json(events.subList(0, half)));
    List<String> args =
        List.of(
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--input-topics",
            EVENTS,
            "--output-topic",
            ALERTS,
            "--dlq-topic",
            ALERTS + ".dead-letters",
            "--application-id",
            APPLICATION,
            "--alert-format",
            "json",
            "--create-topics",
            "--partitions",
            "3",
            "--replication-factor",
            "1");

    try (DetectorContainer first = DetectorContainer.run(args, volume)) {
      List<String> alerts = read(expectedFirstHalf.size());
      assertEquals(expectedFirstHalf.size(), alerts.size(), first.logs());
      assertEquals(Traffic.linesByDevice(expectedFirstHalf), Traffic.linesByDevice(alerts));
      assertEquals(0, first.dockerStop(GRACE).exitCode(), first.logs());
    }

    // the volume holds the application's state directory: its process id, and its tasks' window
    // stores (RocksDB)
    String processFile = APP_DIR + "/kafka-streams-process-metadata";
    String before =
        DetectorContainer.runShell(
            volume, "cat " + processFile + "; echo; find " + APP_DIR + " -type f | sort");
    System.out.println("state volume after the first container:\n" + before);
    String processId = before.lines().findFirst().orElse("");
    assertTrue(processId.contains("processId"), before);
    assertTrue(before.contains("/rocksdb/"), before);

    Topics.produce(kafka.clientConfig(), EVENTS, json(events.subList(half, events.size())));
    try (DetectorContainer second = DetectorContainer.run(args, volume)) {
      List<String> alerts = read(expected.size());
      assertEquals(expected.size(), alerts.size(), "none twice, none lost\n" + second.logs());
      assertEquals(Traffic.linesByDevice(expected), Traffic.linesByDevice(alerts));
      // the same Kafka Streams instance, by its process id kept in the state directory
      assertEquals(processId, second.exec("cat", processFile).getStdout().trim());
      assertEquals(0, second.dockerStop(GRACE).exitCode(), second.logs());
    }
  }

  private static List<String> read(int expected) {
    return Topics.readCommitted(
        kafka.clientConfig(),
        ALERTS,
        expected,
        Duration.ofSeconds(120),
        b -> new String(b, StandardCharsets.UTF_8));
  }

  private static List<Map.Entry<String, byte[]>> json(List<DeviceProcessEvent> events) {
    return events.stream()
        .<Map.Entry<String, byte[]>>map(
            e ->
                new AbstractMap.SimpleEntry<>(
                    e.getDeviceId(), EventJson.toJson(e).getBytes(StandardCharsets.UTF_8)))
        .toList();
  }
}
