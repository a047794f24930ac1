package dev.webshell.detector.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.e2e.DetectorProcess;
import dev.webshell.detector.e2e.Traffic;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector (a child JVM) on a SASL listener, configured with standard client properties in
 * {@code --kafka-config}, the password coming from a file or the environment through Kafka's config
 * providers: the right password works (alerts flow), a wrong one fails fast with one line and exit
 * 1, and neither password is ever printed.
 */
class SaslEndToEndTest {
  private static final String USER = "detector";
  private static final String PASSWORD = "Pw-6f1c-right-one";
  private static final String WRONG = "Pw-93ab-wrong-one";
  @AutoClose private static EmbeddedKafkaCluster kafka;

  @TempDir Path tmp;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaCluster.builder().brokers(1).saslUser(USER, PASSWORD).start();
    kafka.createTopic("events", 2, (short) 1);
    kafka.createTopic("alerts", 2, (short) 1);
    kafka.createTopic("dead-letters", 1, (short) 1);
  }

  /** Client properties for SASL, the password as a config-provider reference. */
  private Path kafkaConfig(String mechanism, String passwordReference, String provider)
      throws Exception {
    String module =
        mechanism.equals("PLAIN")
            ? "org.apache.kafka.common.security.plain.PlainLoginModule"
            : "org.apache.kafka.common.security.scram.ScramLoginModule";
    List<String> lines = new ArrayList<>();
    lines.add("security.protocol=SASL_PLAINTEXT");
    lines.add("sasl.mechanism=" + mechanism);
    lines.add(
        "sasl.jaas.config="
            + module
            + " required username=\""
            + USER
            + "\" password=\""
            + passwordReference
            + "\";");
    lines.add("config.providers=" + provider);
    lines.add(
        "config.providers."
            + provider
            + ".class=org.apache.kafka.common.config.provider."
            + (provider.equals("file") ? "FileConfigProvider" : "EnvVarConfigProvider"));
    Path file = tmp.resolve("kafka-" + mechanism + ".properties");
    Files.write(file, lines);
    return file;
  }

  @Test
  void shouldRunOnScramWithThePasswordFromAFileWithoutPrintingIt() throws Exception {
    Path secret = tmp.resolve("secret.properties");
    Files.writeString(secret, "password=" + PASSWORD + "\n");
    Path config = kafkaConfig("SCRAM-SHA-512", "${file:" + secret + ":password}", "file");
    List<Traffic.Event> events = Traffic.events(9, 1500, 20, 0.02);
    Map<String, List<JsonNode>> expected =
        Traffic.expectedAlerts(events.stream().map(Traffic.Event::json).toList());
    Traffic.produce(kafka.clientConfig(), Traffic.records("events", events));

    try (DetectorProcess detector =
        DetectorProcess.start(
            tmp,
            "sasl-right",
            DetectorProcess.runArgs(
                kafka.saslBootstrapServers(),
                "events",
                "alerts",
                "dead-letters",
                "sasl-app",
                tmp.resolve("state"),
                "--kafka-config",
                config.toString()))) {
      detector.awaitRunning(1, Duration.ofSeconds(90));
      List<ConsumerRecord<byte[], byte[]>> alerts =
          Traffic.readCommitted(
              kafka.clientConfig(),
              "alerts",
              Traffic.count(expected),
              Duration.ofSeconds(90),
              Duration.ofSeconds(1));
      assertEquals(expected, Traffic.byDevice(Traffic.values(alerts)), detector.output());
      assertEquals(0, detector.sigterm(Duration.ofSeconds(30)), detector.output());
      assertFalse(detector.output().contains(PASSWORD), "password printed:\n" + detector.output());
    }
  }

  @Test
  void shouldFailFastWithOneLineOnAWrongPasswordFromTheEnvironmentWithoutPrintingIt()
      throws Exception {
    Path config = kafkaConfig("PLAIN", "${env:DETECTOR_TEST_KAFKA_PASSWORD}", "env");
    try (DetectorProcess detector =
        DetectorProcess.start(
            tmp,
            "sasl-wrong",
            DetectorProcess.runArgs(
                kafka.saslBootstrapServers(),
                "events",
                "alerts",
                "dead-letters",
                "sasl-app-wrong",
                tmp.resolve("state-wrong"),
                "--kafka-config",
                config.toString()),
            Map.of("DETECTOR_TEST_KAFKA_PASSWORD", WRONG))) {
      long t0 = System.nanoTime();
      int exit = detector.awaitExit(Duration.ofSeconds(60));
      long millis = (System.nanoTime() - t0) / 1_000_000;
      String err = detector.stderr().strip();
      System.out.printf("sasl: wrong password → exit %d in %d ms: %s%n", exit, millis, err);
      assertEquals(1, exit, detector.output());
      assertTrue(millis < 20_000, "failed within 20 s: " + millis + " ms");
      assertEquals(1, err.lines().count(), "one line:\n" + err);
      assertTrue(err.startsWith("detector: Kafka at "), err);
      assertTrue(err.contains("refused authentication"), err);
      assertFalse(detector.output().contains(WRONG), "password printed:\n" + detector.output());
      assertFalse(detector.output().contains(PASSWORD), detector.output());
    }
  }
}
