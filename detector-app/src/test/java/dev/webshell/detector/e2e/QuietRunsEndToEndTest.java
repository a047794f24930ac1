package dev.webshell.detector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real broker, the detector's main consumer folds runs of quiet records ({@code
 * QuietRunFolder}): Kafka Streams processes a small part of the input's records, every event is
 * still counted, the alert holds the matches among them, and the group's committed offset reaches
 * the end of a partition that ends in a run (the topology-level proof that the output is the same
 * folded or not is {@code QuietRunFoldingTest}; restarts, {@code RunEndToEndTest}).
 */
class QuietRunsEndToEndTest {
  private static final int EVENTS = 3000;

  @AutoClose static EmbeddedKafkaCluster kafka;
  @TempDir Path stateDir;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaCluster.start(1);
  }

  @Test
  void shouldFoldQuietRunsCountEveryEventAndCommitToTheEndOfAPartitionThatEndsInARun()
      throws Exception {
    // Given one partition of benign rows with two matches of one device among them, and a run of
    // 999 benign rows at its end
    kafka.createTopic("quiet-events", 1, (short) 1, Map.of());
    Instant t = Instant.now().minus(Duration.ofDays(1));
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      Ev e = Ev.atMicros(Timestamps.toMicros(t.plusMillis(i)));
      if (i == 1000) {
        e.device("web").cmd("cmd /c whoami");
      } else if (i == 2000) {
        e.device("web").cmd("cmd /c ipconfig");
      } else {
        e.device("host-" + i % 40).initiating("explorer.exe");
      }
      records.add(new ProducerRecord<>("quiet-events", e.json().getBytes(StandardCharsets.UTF_8)));
    }
    Traffic.produce(kafka.clientConfig(), records);

    // When the detector reads them
    try (DetectorService.Running running =
        new DetectorService(
                Detectors.reading(kafka, "quiet-events", "quiet", InputFormat.JSON, stateDir)
                    .partitions(1)
                    .build())
            .start()) {
      // Then both matches are in the alert
      List<JsonNode> alerts =
          Traffic.committedJson(
              kafka.clientConfig(),
              "quiet-alerts",
              2,
              Duration.ofSeconds(90),
              Duration.ofSeconds(2));
      assertEquals(2, alerts.size(), "revisions: " + alerts);
      assertEquals(
          "[\"cmd /c whoami\",\"cmd /c ipconfig\"]", alerts.get(1).get("commandLines").toString());

      // and the group commits past the trailing run
      assertEquals(EVENTS, awaitCommitted("quiet", new TopicPartition("quiet-events", 0)));

      // and every event is counted, though Kafka Streams processed few records
      double events =
          running.meters().find("detector.events").tag("format", "json").counter().count();
      assertEquals(EVENTS, events, "detector_events_total{format=json}");
      double processed = 0;
      for (Map.Entry<?, ? extends Metric> m : running.streams().metrics().entrySet()) {
        var name = m.getValue().metricName();
        if (name.group().equals("stream-thread-metrics") && name.name().equals("process-total")) {
          processed += ((Number) m.getValue().metricValue()).doubleValue();
        }
      }
      assertTrue(
          processed < EVENTS / 10.0,
          "records Kafka Streams processed (input and internal topics): " + processed);
    }
  }

  /**
   * The group's committed offset of {@code tp} once it reaches the end, or the last seen after 30
   * s.
   */
  private static long awaitCommitted(String group, TopicPartition tp) throws Exception {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      long offset = -1;
      while (System.nanoTime() < deadline) {
        OffsetAndMetadata o =
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(tp);
        offset = o == null ? -1 : o.offset();
        if (offset == EVENTS) {
          return offset;
        }
        Thread.sleep(200);
      }
      return offset;
    }
  }
}
