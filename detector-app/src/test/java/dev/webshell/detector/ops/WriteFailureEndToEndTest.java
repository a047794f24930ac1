package dev.webshell.detector.ops;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.e2e.DetectorProcess;
import dev.webshell.detector.e2e.Traffic;
import dev.webshell.detector.topology.Ev;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dead letter the broker will not take (the dead-letter topic's {@code max.message.bytes} is too
 * small for it) is not the input record's fault: {@code detector run} neither skips the record nor
 * stops, nor blocks silently. It logs and counts the failure, reports itself not ready, retries,
 * and once the topic is fixed writes the dead letter and the alerts around it, each exactly once.
 */
class WriteFailureEndToEndTest {
  private static final Pattern FAILURES =
      Pattern.compile("detector_retryable_failures_total\\{reason=\"write-failed\"\\} (\\S+)");
  @AutoClose private static EmbeddedKafkaCluster kafka;

  @TempDir Path tmp;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaCluster.start(1);
  }

  @Test
  void shouldRetryADeadLetterTheBrokerRefusesUntilItIsTakenAndLoseNothing() throws Exception {
    kafka.createTopic("wf-events", 1, (short) 1);
    kafka.createTopic("wf-alerts", 1, (short) 1);
    kafka.createTopic("wf-dead-letters", 1, (short) 1, Map.of("max.message.bytes", "1000"));
    Instant now = Instant.now().minusSeconds(600);
    // invalid JSON, 4 KB of random letters: the detector's producers compress (lz4), and a
    // repeated letter would shrink below the topic's limit
    Random random = new Random(4000);
    StringBuilder letters = new StringBuilder("{");
    for (int i = 0; i < 4000; i++) {
      letters.append((char) ('a' + random.nextInt(26)));
    }
    byte[] junk = letters.toString().getBytes(UTF_8);
    List<ProducerRecord<byte[], byte[]>> records =
        List.of(
            new ProducerRecord<>("wf-events", "dev-a".getBytes(UTF_8), line(now, "dev-a")),
            new ProducerRecord<>("wf-events", "junk".getBytes(UTF_8), junk),
            new ProducerRecord<>("wf-events", "dev-b".getBytes(UTF_8), line(now, "dev-b")));
    Traffic.produce(kafka.clientConfig(), records);

    try (DetectorProcess detector =
        DetectorProcess.start(
            tmp,
            "detector",
            DetectorProcess.runArgs(
                kafka.bootstrapServers(),
                "wf-events",
                "wf-alerts",
                "wf-dead-letters",
                "wf-detector",
                tmp.resolve("state")))) {
      int port = detector.metricsPort(Duration.ofSeconds(60));
      // the write fails: logged on one line, counted, not ready; the process goes on
      detector.awaitLog("cannot write to wf-dead-letters", Duration.ofSeconds(60));
      // and again after a pause: the record is read again, not skipped
      awaitFailuresCounted(detector, port, 2);
      assertEquals(503, DetectorProcess.get(port, "/health/ready").statusCode());
      assertEquals(200, DetectorProcess.get(port, "/health/live").statusCode());
      assertTrue(detector.isAlive(), detector.output());
      assertEquals(
          List.of(),
          Traffic.readCommitted(
              kafka.clientConfig(), "wf-alerts", 0, Duration.ofSeconds(2), Duration.ZERO),
          "nothing committed past the failed dead letter");

      // the operator raises the limit: the next attempt goes through
      try (var admin = kafka.admin()) {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "wf-dead-letters");
        admin
            .incrementalAlterConfigs(
                Map.of(
                    topic,
                    List.of(
                        new AlterConfigOp(
                            new ConfigEntry("max.message.bytes", "1048588"),
                            AlterConfigOp.OpType.SET))))
            .all()
            .get();
      }
      List<ConsumerRecord<byte[], byte[]>> deadLetters =
          Traffic.readCommitted(
              kafka.clientConfig(),
              "wf-dead-letters",
              1,
              Duration.ofSeconds(180),
              Duration.ofSeconds(2));
      List<ConsumerRecord<byte[], byte[]>> alerts =
          Traffic.readCommitted(
              kafka.clientConfig(), "wf-alerts", 2, Duration.ofSeconds(60), Duration.ofSeconds(2));
      assertEquals(1, deadLetters.size(), "the dead letter, once\n" + detector.output());
      assertArrayEquals(junk, deadLetters.get(0).value());
      assertEquals(2, alerts.size(), "both alerts, once each\n" + detector.output());
      assertEquals(
          List.of("dev-a", "dev-b"),
          alerts.stream().map(r -> new String(r.key(), UTF_8)).sorted().toList());
      assertTrue(detector.isAlive(), detector.output());
      assertEquals(0, detector.sigterm(Duration.ofSeconds(30)), detector.output());
    }
  }

  private static byte[] line(Instant t, String device) {
    return Ev.atMicros(t.getEpochSecond() * 1_000_000L).device(device).json().getBytes(UTF_8);
  }

  private static void awaitFailuresCounted(DetectorProcess detector, int port, int times) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = FAILURES.matcher(DetectorProcess.get(port, "/metrics").body());
      if (m.find() && Double.parseDouble(m.group(1)) >= times) {
        return;
      }
      sleep(200);
    }
    throw new AssertionError(
        "no write failure counted\n"
            + Arrays.toString(DetectorProcess.get(port, "/metrics").body().lines().toArray())
            + detector.output());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
