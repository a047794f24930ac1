package dev.webshell.detector.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.cli.Main;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.detector.service.ProcessingGuarantee;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A cluster that refuses transactions (as Event Hubs does below its Premium tier, or a cluster
 * whose ACLs deny TransactionalId WRITE): under exactly_once_v2 the detector stops at start-up with
 * one line that says so and names {@code --processing-guarantee at_least_once}, which then runs.
 * Reproduced on a real broker with the standard authorizer and a DENY ACL on every transactional
 * id.
 */
class TransactionsRefusedTest {
  @AutoClose private static EmbeddedKafkaCluster kafka;

  @TempDir Path tmp;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka =
        EmbeddedKafkaCluster.builder()
            .brokers(1)
            .brokerProperty(
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
            .brokerProperty("allow.everyone.if.no.acl.found", "true")
            .start();
    kafka.createTopic("events", 1, (short) 1);
    kafka.createTopic("alerts", 1, (short) 1);
    kafka.createTopic("dead-letters", 1, (short) 1);
    Admin admin = kafka.admin();
    admin
        .createAcls(
            List.of(
                new AclBinding(
                    new ResourcePattern(ResourceType.TRANSACTIONAL_ID, "*", PatternType.LITERAL),
                    new AccessControlEntry(
                        "User:ANONYMOUS", "*", AclOperation.WRITE, AclPermissionType.DENY))))
        .all()
        .get();
  }

  @Test
  void shouldStopAtStartWithOneLineSuggestingAtLeastOnceWhenTransactionsAreRefused() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    long t0 = System.nanoTime();
    int code =
        cl.execute(
            "run",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--input-topics",
            "events",
            "--output-topic",
            "alerts",
            "--dlq-topic",
            "dead-letters",
            "--application-id",
            "refused-app",
            "--state-dir",
            tmp.resolve("state").toString(),
            "--alert-format",
            "json",
            "--metrics-port",
            "-1");
    long millis = (System.nanoTime() - t0) / 1_000_000;
    String line = err.toString().strip();
    System.out.printf("transactions refused: exit %d in %d ms: %s%n", code, millis, line);
    assertEquals(1, code, line);
    assertEquals(1, line.lines().count(), "one line:\n" + line);
    assertTrue(line.startsWith("detector: Kafka at " + kafka.bootstrapServers()), line);
    assertTrue(line.contains("refuses transactions"), line);
    assertTrue(line.contains("refused-app-preflight"), line);
    assertTrue(line.contains("--processing-guarantee at_least_once"), line);
  }

  @Test
  void shouldRunUnderAtLeastOnceOnTheSameCluster() throws Exception {
    DetectorService.Settings settings =
        DetectorService.Settings.builder(kafka.clientConfig())
            .inputTopics(List.of("events"))
            .outputTopic("alerts")
            .deadLetterTopic("dead-letters")
            .applicationId("refused-app-alo")
            .stateDir(tmp.resolve("state-alo"))
            .alertFormat(dev.webshell.detector.serde.AlertFormat.JSON)
            .metricsPort(-1)
            .processingGuarantee(ProcessingGuarantee.AT_LEAST_ONCE)
            .build();
    try (DetectorService.Running running = new DetectorService(settings).start()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (running.streams().state() != KafkaStreams.State.RUNNING
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertEquals(KafkaStreams.State.RUNNING, running.streams().state());
    }
  }
}
