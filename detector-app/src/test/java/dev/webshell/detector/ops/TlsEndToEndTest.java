package dev.webshell.detector.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.e2e.DetectorProcess;
import dev.webshell.detector.e2e.Traffic;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import dev.webshell.testkit.kafka.TlsMaterial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector (a child JVM) on a broker's SSL listener, configured with standard client properties
 * in {@code --kafka-config} (hostname verification on, Kafka's default), the truststore password
 * coming from a file or the environment through Kafka's config providers: the right CA works
 * (alerts flow and equal {@code scan}'s), a truststore holding another CA fails fast with one line
 * naming the TLS handshake and exit 1, and no truststore password is ever printed.
 */
class TlsEndToEndTest {
  private static final String OTHER_PASSWORD = "Ts-41d7-other-ca-store";
  @AutoClose private static EmbeddedKafkaCluster kafka;

  @TempDir Path tmp;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaCluster.builder().brokers(1).tlsListener(true).start();
    kafka.createTopic("events", 2, (short) 1);
    kafka.createTopic("alerts", 2, (short) 1);
    kafka.createTopic("dead-letters", 1, (short) 1);
  }

  /** Client properties for TLS, the truststore password as a config-provider reference. */
  private Path kafkaConfig(Path truststore, String passwordReference, String provider)
      throws Exception {
    Path file = tmp.resolve("kafka-tls-" + provider + ".properties");
    Files.write(
        file,
        List.of(
            "security.protocol=SSL",
            "ssl.truststore.location=" + truststore,
            "ssl.truststore.type=PKCS12",
            "ssl.truststore.password=" + passwordReference,
            "config.providers=" + provider,
            "config.providers."
                + provider
                + ".class=org.apache.kafka.common.config.provider."
                + (provider.equals("file") ? "FileConfigProvider" : "EnvVarConfigProvider")));
    return file;
  }

  @Test
  void shouldRunOverTlsWithTheTruststorePasswordFromAFileWithoutPrintingIt() throws Exception {
    TlsMaterial tls = kafka.tlsMaterial();
    Path secret = tmp.resolve("truststore-secret.properties");
    Files.writeString(secret, "password=" + tls.password() + "\n");
    Path config = kafkaConfig(tls.truststore(), "${file:" + secret + ":password}", "file");
    assertFalse(Files.readString(config).contains(tls.password()), "no password in the config");
    List<Traffic.Event> events = Traffic.events(17, 1000, 40, 0.05);
    Map<String, List<JsonNode>> expected =
        Traffic.expectedAlerts(events.stream().map(Traffic.Event::json).toList());
    assertTrue(Traffic.count(expected) > 0, "the traffic holds intrusions");
    Traffic.produce(kafka.clientConfig(), Traffic.records("events", events));

    try (DetectorProcess detector =
        DetectorProcess.start(
            tmp,
            "tls-right",
            DetectorProcess.runArgs(
                kafka.sslBootstrapServers(),
                "events",
                "alerts",
                "dead-letters",
                "tls-app",
                tmp.resolve("state"),
                "--kafka-config",
                config.toString()))) {
      detector.awaitRunning(1, Duration.ofSeconds(90));
      // read the alerts over TLS, too, as a user's consumer would
      List<ConsumerRecord<byte[], byte[]>> alerts =
          Traffic.readCommitted(
              kafka.sslClientConfig(),
              "alerts",
              Traffic.count(expected),
              Duration.ofSeconds(90),
              Duration.ofSeconds(1));
      assertEquals(expected, Traffic.byDevice(Traffic.values(alerts)), detector.output());
      assertEquals(0, detector.sigterm(Duration.ofSeconds(30)), detector.output());
      assertFalse(
          detector.output().contains(tls.password()), "password printed:\n" + detector.output());
      System.out.printf(
          "tls: %d alerts on %d devices over SSL%n", alerts.size(), expected.keySet().size());
    }
  }

  @Test
  void shouldFailFastWithOneLineOnATruststoreOfAnotherCaWithoutPrintingItsPassword()
      throws Exception {
    Path other = TlsMaterial.truststoreOfAnotherCa(tmp.resolve("other"), OTHER_PASSWORD);
    Path config = kafkaConfig(other, "${env:DETECTOR_TEST_TRUSTSTORE_PASSWORD}", "env");
    try (DetectorProcess detector =
        DetectorProcess.start(
            tmp,
            "tls-other-ca",
            DetectorProcess.runArgs(
                kafka.sslBootstrapServers(),
                "events",
                "alerts",
                "dead-letters",
                "tls-app-other-ca",
                tmp.resolve("state-other-ca"),
                "--kafka-config",
                config.toString()),
            Map.of("DETECTOR_TEST_TRUSTSTORE_PASSWORD", OTHER_PASSWORD))) {
      long t0 = System.nanoTime();
      int exit = detector.awaitExit(Duration.ofSeconds(60));
      long millis = (System.nanoTime() - t0) / 1_000_000;
      String err = detector.stderr().strip();
      System.out.printf(
          "tls: truststore of another CA → exit %d in %d ms: %s%n", exit, millis, err);
      assertEquals(1, exit, detector.output());
      assertTrue(millis < 20_000, "failed within 20 s: " + millis + " ms");
      assertEquals(1, err.lines().count(), "one line:\n" + err);
      assertTrue(
          err.startsWith("detector: TLS handshake with Kafka at " + kafka.sslBootstrapServers()),
          err);
      assertTrue(err.contains("unable to find valid certification path"), err);
      assertFalse(detector.output().contains(OTHER_PASSWORD), "password printed:\n" + err);
      assertFalse(detector.output().contains(kafka.tlsMaterial().password()), err);
    }
  }
}
