package dev.webshell.detector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.detector.topology.Ev;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC 4's closing revision on a real broker: it comes even when the partition that holds the
 * device never receives another record (the other partitions' progress reaches its window), and
 * exactly once across a restart that falls between the device's last match and its close.
 */
class ClosingRevisionsEndToEndTest {
  @AutoClose static EmbeddedKafkaCluster kafka;
  @TempDir Path stateDir;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaCluster.start(1);
  }

  private DetectorService.Running start(String name) {
    return new DetectorService(
            Detectors.reading(kafka, name, name, InputFormat.JSON, stateDir).partitions(2).build())
        .start();
  }

  /** An event on an explicit input partition. */
  static ProducerRecord<byte[], byte[]> on(String topic, int partition, Ev e) {
    return new ProducerRecord<>(
        topic,
        partition,
        e.device().getBytes(StandardCharsets.UTF_8),
        e.json().getBytes(StandardCharsets.UTF_8));
  }

  static List<JsonNode> alerts(String topic, int expected, Duration timeout) {
    return Traffic.committedJson(
        kafka.clientConfig(), topic, expected, timeout, Duration.ofSeconds(3));
  }

  static long closes(List<JsonNode> alerts, String device) {
    return alerts.stream()
        .filter(a -> a.get("deviceId").asText().equals(device))
        .filter(a -> a.get("status").asText().equals("closed"))
        .count();
  }

  static Instant base() {
    return Instant.now().minus(Duration.ofDays(30));
  }

  @Test
  void shouldCloseAnAlertWhosePartitionStaysQuietOnceAnotherPartitionPassesItsClose() {
    String topic = "quiet";
    kafka.createTopic(topic, 2, (short) 1, Map.of());
    Instant t0 = base();
    // the web server's matches, all on partition 0, which then receives nothing more
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    records.add(on(topic, 0, ev(t0, "web").cmd("cmd /c whoami")));
    records.add(on(topic, 0, ev(t0.plusSeconds(60), "web").cmd("cmd /c ipconfig")));
    records.add(on(topic, 0, ev(t0.plusSeconds(120), "web").cmd("cmd /c ipconfig")));
    Traffic.produce(kafka.clientConfig(), records);

    try (DetectorService.Running running = start(topic)) {
      List<JsonNode> open = alerts(topic + "-alerts", 2, Duration.ofSeconds(90));
      assertEquals(2, open.size(), "two revisions, nothing closed yet");
      // eight days pass, but only on partition 1, and no match there
      List<ProducerRecord<byte[], byte[]>> later = new ArrayList<>();
      for (int h = 0; h <= 8 * 24; h += 6) {
        later.add(on(topic, 1, ev(t0.plus(Duration.ofHours(h)), "quiet-host").file("svchost.exe")));
      }
      Traffic.produce(kafka.clientConfig(), later);
      List<JsonNode> all = alerts(topic + "-alerts", 3, Duration.ofSeconds(60));
      assertEquals(3, all.size(), "the close came from the other partition's progress");
      JsonNode close = all.get(2);
      assertEquals("closed", close.get("status").asText());
      assertEquals(3, close.get("revision").asInt());
      assertEquals(3, close.get("matchCount").asInt(), "the repeat counts in the close");
      assertEquals(open.get(0).get("alertId"), close.get("alertId"));
    }
  }

  @Test
  void shouldCloseExactlyOnceWhenTheDetectorRestartsBetweenTheLastMatchAndTheClose() {
    String topic = "restart";
    kafka.createTopic(topic, 2, (short) 1, Map.of());
    Instant t0 = base();
    Traffic.produce(
        kafka.clientConfig(),
        List.of(
            on(topic, 0, ev(t0, "web").cmd("cmd /c whoami")),
            on(topic, 1, ev(t0.plusSeconds(5), "other").cmd("cmd /c systeminfo"))));
    try (DetectorService.Running running = start(topic)) {
      assertEquals(2, alerts(topic + "-alerts", 2, Duration.ofSeconds(90)).size());
    }
    // stopped between the last matches and the closes; time moves on while it is down
    List<ProducerRecord<byte[], byte[]>> later = new ArrayList<>();
    for (int d = 1; d <= 10; d++) {
      later.add(on(topic, d % 2, ev(t0.plus(Duration.ofDays(d)), "noise").file("svchost.exe")));
    }
    Traffic.produce(kafka.clientConfig(), later);
    try (DetectorService.Running running = start(topic)) {
      List<JsonNode> all = alerts(topic + "-alerts", 4, Duration.ofSeconds(90));
      assertEquals(1, closes(all, "web"), "web closed once");
      assertEquals(1, closes(all, "other"), "other closed once");
    }
    // and a second restart, with more time passing, closes nothing again
    Traffic.produce(
        kafka.clientConfig(),
        List.of(on(topic, 0, ev(t0.plus(Duration.ofDays(20)), "noise").file("svchost.exe"))));
    try (DetectorService.Running running = start(topic)) {
      List<JsonNode> all = alerts(topic + "-alerts", 5, Duration.ofSeconds(20));
      assertEquals(4, all.size(), "two revisions and two closes, none repeated: " + all);
    }
  }

  static Ev ev(Instant t, String device) {
    return Ev.atMicros(Timestamps.toMicros(t)).device(device);
  }
}
