package dev.webshell.detector.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.e2e.DetectorProcess;
import dev.webshell.detector.serde.AlertJson;
import dev.webshell.schema.WebShellAlert;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/detector notify} in a child JVM, killed with SIGKILL in the middle of a batch, then
 * started again: every alert is paged once and resolved, nothing is lost, and no alert is ever
 * triggered again after its resolve. SIGTERM then stops it with exit code 0.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NotifyCrashTest {
  static final int ALERTS = 40;

  static WebShellAlert revision(int alert, int revision, boolean closed) {
    String id = String.format("00000000-0000-4000-8000-%012d", alert);
    var b =
        closed
            ? dev.webshell.detector.siem.TestAlerts.closed(revision - 1)
            : dev.webshell.detector.siem.TestAlerts.open(revision);
    return b.setAlertId(id)
        .setDeviceId("device-" + alert)
        .setDeviceName("web-" + alert + ".example")
        .build();
  }

  static long committed(EmbeddedKafkaCluster kafka, String group) throws Exception {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      Map<TopicPartition, OffsetAndMetadata> m =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      long sum = 0;
      for (OffsetAndMetadata o : m.values()) {
        sum += o == null ? 0 : o.offset();
      }
      return sum;
    }
  }

  @Test
  void shouldPageEveryAlertOnceAndNeverAgainAfterItsResolveAcrossAKillNine(@TempDir Path dir)
      throws Exception {
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(1);
        PagerDutyServer pd = new PagerDutyServer()) {
      kafka.createTopic("alerts", 3, (short) 1);
      List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
      for (int r = 1; r <= 3; r++) {
        for (int a = 0; a < ALERTS; a++) {
          WebShellAlert alert = revision(a, r, r == 3);
          records.add(
              new ProducerRecord<>(
                  "alerts",
                  alert.getDeviceId(),
                  AlertJson.toJson(alert).getBytes(StandardCharsets.UTF_8)));
        }
      }
      Map<String, Object> pc = new HashMap<>(kafka.clientConfig());
      pc.put("acks", "all");
      try (KafkaProducer<String, byte[]> p =
          new KafkaProducer<>(pc, new StringSerializer(), new ByteArraySerializer())) {
        records.forEach(p::send);
        p.flush();
      }
      pd.delay(Duration.ofMillis(80)); // a slow service: the batch takes ~10 s
      Path key =
          Files.writeString(dir.resolve("pd.key"), DestinationContractTest.ROUTING_KEY + "\n");
      List<String> args =
          List.of(
              "notify",
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--alerts-topic",
              "alerts",
              "--application-id",
              "crash-notify",
              "--create-topics",
              "--pagerduty-routing-key-file",
              key.toString(),
              "--pagerduty-url",
              pd.uri("/v2/enqueue").toString(),
              "--pagerduty-rate",
              "none",
              "--update-interval",
              "0",
              "--retry-initial-backoff",
              "200ms",
              "--retry-max-backoff",
              "2s",
              "--metrics-port",
              "0",
              "-D",
              "session.timeout.ms=6000",
              "-D",
              "heartbeat.interval.ms=1000");

      int acceptedAtKill;
      long committedAtKill;
      try (DetectorProcess first = DetectorProcess.start(dir, "notify-1", args)) {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (pd.accepted().size() < ALERTS) {
          assertTrue(System.nanoTime() < end, "no progress\n" + first.output());
          assertTrue(first.isAlive(), first.output());
          Thread.sleep(20);
        }
        first.kill9();
        acceptedAtKill = pd.accepted().size();
        committedAtKill = committed(kafka, "crash-notify");
        assertFalse(first.isAlive());
      }
      assertTrue(
          acceptedAtKill < 3 * ALERTS && committedAtKill < 3 * ALERTS,
          "killed in the middle: "
              + acceptedAtKill
              + " accepted, "
              + committedAtKill
              + " committed");

      // the service has a bad moment while notify comes back
      pd.failNext(1, 429, "1");
      pd.failNext(1, 500, null);
      try (DetectorProcess second = DetectorProcess.start(dir, "notify-2", args)) {
        long end = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (pd.everResolved.size() < ALERTS || committed(kafka, "crash-notify") < 3 * ALERTS) {
          assertTrue(
              System.nanoTime() < end,
              pd.everResolved.size()
                  + " resolved, "
                  + committed(kafka, "crash-notify")
                  + " committed\n"
                  + second.output());
          assertTrue(second.isAlive(), second.output());
          Thread.sleep(100);
        }
        int port = second.metricsPort(Duration.ofSeconds(5));
        String metrics = DetectorProcess.get(port, "/metrics").body();
        assertTrue(
            metrics.contains("notify_retries_total{destination=\"pagerduty\",reason=\"429\"} 1.0"),
            metrics);
        assertEquals(200, DetectorProcess.get(port, "/health/ready").statusCode());
        assertEquals(0, second.sigterm(Duration.ofSeconds(60)), second.output());
        assertTrue(second.stderr().contains("stopped"), second.output());
      }

      assertEquals(List.of(), pd.violations);
      assertEquals(Map.of(), pd.reopenedAfterResolve, "an alert triggered again after its resolve");
      for (int a = 0; a < ALERTS; a++) {
        String id = revision(a, 1, false).getAlertId();
        List<String> actions = pd.actions(id);
        assertEquals(1, pd.opened.get(id).get(), id + " " + actions);
        assertEquals("resolve", actions.get(actions.size() - 1), id + " " + actions);
        assertEquals(
            1, actions.stream().filter("resolve"::equals).count() <= 2 ? 1 : 0, id + " " + actions);
      }
      int total = pd.accepted().size();
      System.out.println(
          "notify kill -9: "
              + acceptedAtKill
              + " accepted and "
              + committedAtKill
              + " offsets committed at the kill; "
              + total
              + " accepted in all for "
              + 3 * ALERTS
              + " revisions (re-sent after the kill: "
              + (total - 3 * ALERTS)
              + ")");
      assertTrue(
          total >= 3 * ALERTS && total <= 3 * ALERTS + 2, "re-sent: " + (total - 3 * ALERTS));
    }
  }
}
