package dev.webshell.detector.ops;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.e2e.DetectorProcess;
import dev.webshell.detector.e2e.Malformed;
import dev.webshell.detector.e2e.Traffic;
import dev.webshell.detector.topology.DeadLetters;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code detector run} in a child JVM against a real broker, reading a topic where malformed
 * records sit between valid events: each malformed record is in the dead-letter topic once, the
 * alerts are exactly {@code scan}'s, metrics and health answer, logs are JSON lines, and SIGTERM
 * stops it with exit 0.
 */
class DeadLetterEndToEndTest {
  @AutoClose private static EmbeddedKafkaCluster kafka;

  @TempDir Path tmp;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaCluster.start(1);
  }

  @Test
  void shouldDeadLetterEachMalformedRecordOnceKeepAlertsExactServeMetricsAndStopOnSigterm()
      throws Exception {
    kafka.createTopic("events", 3, (short) 1);
    kafka.createTopic("alerts", 3, (short) 1);
    kafka.createTopic("dead-letters", 1, (short) 1);

    List<Traffic.Event> valid = Traffic.events(5, 1500, 30, 0.02);
    Map<String, byte[]> bad = Malformed.samples();
    List<String> names = new ArrayList<>(bad.keySet());
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    List<byte[]> validLines = new ArrayList<>();
    Map<Integer, String> badAt = new HashMap<>();
    int step = valid.size() / names.size();
    for (int i = 0; i < valid.size(); i++) {
      records.add(valid.get(i).record("events"));
      validLines.add(valid.get(i).json());
      if (i % step == step / 2 && i / step < names.size()) {
        String name = names.get(i / step);
        badAt.put(records.size(), name);
        records.add(new ProducerRecord<>("events", ("bad-" + name).getBytes(UTF_8), bad.get(name)));
      }
    }
    byte[] huge = Malformed.hugeCommandLine("dev-huge", 1_000_000);
    records.add(new ProducerRecord<>("events", "dev-huge".getBytes(UTF_8), huge));
    validLines.add(huge);
    assertEquals(names.size(), badAt.size());
    List<RecordMetadata> written = Traffic.produce(kafka.clientConfig(), records);
    Map<String, String> badPositions = new HashMap<>();
    badAt.forEach(
        (index, name) ->
            badPositions.put(
                written.get(index).partition() + "@" + written.get(index).offset(), name));

    Map<String, List<JsonNode>> expected = Traffic.expectedAlerts(validLines);
    try (DetectorProcess detector =
        DetectorProcess.start(
            tmp,
            "detector",
            DetectorProcess.runArgs(
                kafka.bootstrapServers(),
                "events",
                "alerts",
                "dead-letters",
                "dlq-e2e",
                tmp.resolve("state"),
                "--schema-registry-url",
                "mock://dlq-e2e",
                "--log-format",
                "json"))) {
      detector.awaitRunning(1, Duration.ofSeconds(90));
      int port = detector.metricsPort(Duration.ofSeconds(5));

      List<ConsumerRecord<byte[], byte[]>> alerts =
          Traffic.readCommitted(
              kafka.clientConfig(),
              "alerts",
              Traffic.count(expected),
              Duration.ofSeconds(120),
              Duration.ofSeconds(2));
      List<ConsumerRecord<byte[], byte[]>> dead =
          Traffic.readCommitted(
              kafka.clientConfig(),
              "dead-letters",
              names.size(),
              Duration.ofSeconds(30),
              Duration.ofSeconds(1));

      assertEquals(expected, Traffic.byDevice(Traffic.values(alerts)), "alerts per device");
      JsonNode hugeAlert = Traffic.byDevice(Traffic.values(alerts)).get("dev-huge").get(0);
      assertTrue(hugeAlert.get("commandLinesCut").asBoolean());

      Map<String, Integer> seen = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> d : dead) {
        String at =
            header(d, DeadLetters.SOURCE_PARTITION) + "@" + header(d, DeadLetters.SOURCE_OFFSET);
        String name = badPositions.get(at);
        assertNotNull(name, "dead letter from " + at + " is one of the malformed records");
        seen.merge(name, 1, Integer::sum);
        if (d.headers().lastHeader(DeadLetters.ENVELOPE_INDEX) == null) {
          assertArrayEquals(bad.get(name), d.value(), name);
        }
        assertEquals("events", header(d, DeadLetters.SOURCE_TOPIC));
      }
      Map<String, Integer> once = new HashMap<>();
      names.forEach(n -> once.put(n, 1));
      assertEquals(once, seen, "every malformed record dead-lettered exactly once");

      HttpResponse<String> metrics = DetectorProcess.get(port, "/metrics");
      assertEquals(200, metrics.statusCode());
      String body = metrics.body();
      for (String series :
          List.of(
              "kafka_stream_",
              "detector_events_total",
              "detector_matches_total",
              "detector_alerts_total",
              "detector_dead_letters_total",
              "detector_event_to_alert_latency_seconds_bucket")) {
        assertTrue(body.contains(series), series + " in /metrics");
      }
      assertEquals(names.size(), sum(body, "detector_dead_letters_total"), "dead letters counted");
      assertEquals(Traffic.count(expected), sum(body, "detector_alerts_total"), "alerts counted");
      assertEquals(200, DetectorProcess.get(port, "/health/live").statusCode());
      assertEquals(200, DetectorProcess.get(port, "/health/ready").statusCode());

      long t0 = System.nanoTime();
      int exit = detector.sigterm(Duration.ofSeconds(30));
      long stopMillis = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf(
          "dead letters: %d, alerts: %d, SIGTERM to exit %d in %d ms%n",
          dead.size(), alerts.size(), exit, stopMillis);
      assertEquals(0, exit, detector.output());

      String[] lines = detector.stderr().split("\n");
      assertTrue(lines.length >= 3, detector.output());
      for (String line : lines) {
        JsonNode log = Traffic.JSON.readTree(line);
        for (String field : List.of("time", "level", "logger", "thread", "message")) {
          assertTrue(log.hasNonNull(field), field + " in " + line);
        }
      }
      assertTrue(detector.stderr().contains("\"logger\":\"detector\""), detector.output());
      assertTrue(detector.stderr().contains("stopped"), detector.output());
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), UTF_8);
  }

  /** Sum of the Prometheus samples of {@code metric} (all label sets). */
  static long sum(String prometheus, String metric) {
    double total = 0;
    for (String line : prometheus.split("\n")) {
      if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Math.round(total);
  }
}
