package dev.webshell.detector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.detector.topology.Ev;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input not keyed by device, one device's events spread over two partitions (two tasks) on a real
 * broker: each task has its own stream time (docs/semantics.md 1), so a match far behind one
 * partition is dropped there while the same date on a quiet partition is not; and a match that
 * passes its task's lookback but lies before its device's window is dropped by the window (its LATE
 * path). Both count in {@code detector_late_events_dropped_total}.
 */
class SeveralPartitionsEndToEndTest {
  @AutoClose static EmbeddedKafkaCluster kafka;
  @TempDir Path stateDir;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaCluster.start(1);
  }

  static ProducerRecord<byte[], byte[]> on(int partition, Ev e) {
    return new ProducerRecord<>(
        "spread", partition, null, e.json().getBytes(StandardCharsets.UTF_8)); // no key
  }

  static Ev at(Instant t) {
    return Ev.atMicros(Timestamps.toMicros(t)).device("web");
  }

  static List<JsonNode> alerts(int expected, Duration timeout) {
    return Traffic.committedJson(
        kafka.clientConfig(), "spread-alerts", expected, timeout, Duration.ofSeconds(2));
  }

  static double late(DetectorService.Running running) {
    Counter c = running.meters().find("detector.late.events.dropped").counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void shouldKeepStreamTimePerTaskAndDropWhatIsBeforeTheDevicesWindow() throws Exception {
    kafka.createTopic("spread", 2, (short) 1, Map.of());
    Instant t = Instant.now().minus(Duration.ofDays(20));
    Instant late = t.plus(Duration.ofDays(7)).plus(Duration.ofHours(1));
    try (DetectorService.Running running =
        new DetectorService(
                DetectorService.Settings.builder(kafka.clientConfig())
                    .inputTopics(List.of("spread"))
                    .outputTopic("spread-alerts")
                    .deadLetterTopic("spread-dead-letters")
                    .applicationId("spread")
                    .stateDir(stateDir)
                    .inputFormat(InputFormat.JSON)
                    .alertFormat(AlertFormat.JSON)
                    .metricsPort(-1)
                    .createTopics(true)
                    .partitions(1)
                    .replicationFactor((short) 1)
                    .build())
            .start()) {
      // partition 0 runs a week ahead: its match opens the alert, with lastSeen t + 7d + 1h
      Traffic.produce(kafka.clientConfig(), List.of(on(0, at(late).cmd("cmd /c whoami"))));
      assertEquals(1, alerts(1, Duration.ofSeconds(90)).size());

      // a match dated t on partition 0: behind its task's stream time by more than 7 days
      Traffic.produce(kafka.clientConfig(), List.of(on(0, at(t).cmd("cmd /c ipconfig"))));
      awaitLate(running, 1);

      // the same date on partition 1, whose task has read nothing newer: it passes the lookback,
      // but lies before the device's window (t <= lastSeen - 7d): the window drops it (LATE)
      Traffic.produce(kafka.clientConfig(), List.of(on(1, at(t).cmd("cmd /c systeminfo"))));
      awaitLate(running, 2);

      // and a match on partition 1 inside the window joins the alert, out of order
      Traffic.produce(
          kafka.clientConfig(),
          List.of(on(1, at(late.minus(Duration.ofHours(3))).cmd("cmd /c ping 10.0.0.1"))));
      List<JsonNode> all = alerts(2, Duration.ofSeconds(60));
      assertEquals(2, all.size(), "revision 2 only: " + all);
      JsonNode r2 = all.get(1);
      assertEquals(2, r2.get("revision").asInt());
      assertEquals(
          "[\"cmd /c ping 10.0.0.1\",\"cmd /c whoami\"]",
          r2.get("commandLines").toString(),
          "the out-of-order match is first in the content");
      assertEquals(2.0, late(running), "nothing else dropped");
    }
  }

  private static void awaitLate(DetectorService.Running running, double expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (late(running) < expected && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(expected, late(running), "detector_late_events_dropped_total");
  }
}
