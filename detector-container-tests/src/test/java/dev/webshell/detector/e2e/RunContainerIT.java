package dev.webshell.detector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.registry.ConfluentAvroDeserializer;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.serde.AlertJson;
import dev.webshell.schema.DeviceProcessEvent;
import dev.webshell.schema.WebShellAlert;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import dev.webshell.testkit.registry.ApicurioRegistry;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.containers.Container.ExecResult;

/**
 * The image's {@code run} in a container against the test broker (in-process KRaft) and the real
 * schema registry (Apicurio), both on 127.0.0.1: Avro events in, Avro alerts out, exactly what
 * {@code scan} prints for the same events. One container for the class, under the security settings
 * of the Kubernetes StatefulSet (read-only root, no capabilities), in the order a user meets it:
 * ready, alerts, its user, then {@code docker stop}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunContainerIT {
  private static final String EVENTS = "container-avro-events";
  private static final String ALERTS = "container-avro-alerts";

  /** Kubernetes' default terminationGracePeriodSeconds; compose gives 45 s. */
  private static final Duration GRACE = Duration.ofSeconds(30);

  private EmbeddedKafkaCluster kafka;
  private ApicurioRegistry apicurio;
  private SchemaRegistryClient registry;
  private DetectorContainer detector;
  private List<String> expected;

  @BeforeAll
  void startBrokerRegistryAndDetector() {
    kafka = EmbeddedKafkaCluster.start(1);
    apicurio = ApicurioRegistry.start();
    registry = SchemaRegistryClients.create(RegistryConfig.of(apicurio.ccompatUrl()));

    List<DeviceProcessEvent> events = Traffic.events(31, 3000, 200);
    expected = Traffic.scan(events);
    kafka.createTopic(EVENTS, 3, (short) 1);
    ConfluentAvroSerializer<DeviceProcessEvent> avro = ConfluentAvroSerializer.forValues(registry);
    Topics.produce(
        kafka.clientConfig(),
        EVENTS,
        events.stream()
            .<Map.Entry<String, byte[]>>map(
                e -> new AbstractMap.SimpleEntry<>(e.getDeviceId(), avro.serialize(EVENTS, e)))
            .toList());

    detector =
        DetectorContainer.run(
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
                "container-run",
                "--schema-registry-url",
                apicurio.ccompatUrl(),
                "--create-topics",
                "--partitions",
                "3",
                "--replication-factor",
                "1"),
            null,
            true);
  }

  @AfterAll
  void stopAll() throws Exception {
    if (detector != null) {
      detector.close();
    }
    if (registry != null) {
      registry.close();
    }
    if (apicurio != null) {
      apicurio.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  @Order(1)
  void shouldAnswerHealthLiveAndReadyFromTheContainerOnItsMetricsPort() {
    assertEquals(200, detector.awaitStatus200("/health/live", Duration.ofSeconds(30)));
    assertEquals(
        200,
        detector.awaitStatus200("/health/ready", Duration.ofSeconds(90)),
        "ready once Kafka Streams runs\n" + detector.logs());
  }

  @Test
  @Order(2)
  void shouldWriteExactlyTheRevisionsScanPrintsForTheSameAvroEvents() throws Exception {
    ConfluentAvroDeserializer<WebShellAlert> alerts =
        ConfluentAvroDeserializer.specific(registry, WebShellAlert.class);
    List<String> actual =
        Topics.readCommitted(
            kafka.clientConfig(),
            ALERTS,
            expected.size(),
            Duration.ofSeconds(120),
            b -> AlertJson.toJson(alerts.deserialize(ALERTS, b)));
    assertFalse(expected.isEmpty(), "the traffic holds intrusions");
    assertEquals(
        expected.size(), actual.size(), "revisions (none missing, none twice)\n" + detector.logs());
    assertEquals(Traffic.linesByDevice(expected), Traffic.linesByDevice(actual));
    assertEquals(
        List.of(),
        Topics.readCommittedWithHeaders(
            kafka.clientConfig(), ALERTS + ".dead-letters", Duration.ofSeconds(2)),
        "valid events are never dead letters");
    assertEquals(WebShellAlert.getClassSchema(), registry.latest(ALERTS + "-value").schema());
  }

  @Test
  @Order(3)
  void shouldRunTheJvmAsTheImagesNonRootUserOnAReadOnlyRootFileSystem() {
    assertEquals("10001:10001", detector.inspect().getConfig().getUser());
    assertTrue(detector.inspect().getHostConfig().getReadonlyRootfs());
    assertNotEquals(0, detector.exec("touch", "/opt/detector/written").getExitCode());
    ExecResult id = detector.exec("id", "-u");
    assertEquals("10001", id.getStdout().trim());
    // the detector itself, PID 1 (bin/detector execs java)
    ExecResult status = detector.exec("cat", "/proc/1/status");
    assertTrue(
        status.getStdout().lines().anyMatch(l -> l.matches("Uid:\\s+10001\\s+10001.*")),
        status.getStdout());
    assertTrue(
        detector.exec("cat", "/proc/1/cmdline").getStdout().startsWith("java"),
        "PID 1 is the JVM, so it gets docker stop's signal itself");
  }

  @Test
  @Order(4)
  void shouldExitZeroWithinTheGracePeriodWhenDockerStopSendsSigterm() {
    // docker stop sends the image's STOPSIGNAL (SIGTERM), then SIGKILL after the grace period
    DetectorContainer.Stop stop = detector.dockerStop(GRACE);
    System.out.println("docker stop took " + stop.took().toMillis() + " ms");
    String logs = detector.logs();
    // 0 only when Kafka Streams closed cleanly (1 when its close timed out; 137 after SIGKILL)
    assertEquals(
        0, stop.exitCode(), "a clean stop, not the SIGKILL after the grace period\n" + logs);
    assertFalse(stop.oomKilled());
    assertTrue(stop.took().compareTo(GRACE) < 0, "took " + stop.took());
    assertTrue(logs.contains("stopping (SIGTERM)"), logs);
    assertTrue(logs.contains("stopped"), logs);
  }
}
