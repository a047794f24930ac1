package dev.webshell.detector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.detector.service.DetectorStreams;
import dev.webshell.detector.service.Preflight;
import dev.webshell.detector.topology.Ev;
import dev.webshell.detector.topology.StreamsSettings;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A web shell whose commands are long (PowerShell's -EncodedCommand, several KB each) makes a
 * device's alert and its window's state larger than Kafka's 1 MB defaults. Its alerts must arrive
 * all the same, and the other devices' alerts must not be held behind it.
 */
class LargeAlertsEndToEndTest {
  @AutoClose static EmbeddedKafkaCluster kafka;
  @TempDir Path stateDir;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaCluster.start(1);
  }

  static List<JsonNode> alerts(String topic, int expected) {
    return Traffic.committedJson(
        kafka.clientConfig(), topic, expected, Duration.ofSeconds(120), Duration.ofSeconds(3));
  }

  /** PowerShell with a base64 command of about {@code chars} characters, distinct per seed. */
  static String encodedCommand(int seed, int chars) {
    Random r = new Random(seed);
    String b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    StringBuilder sb = new StringBuilder("powershell.exe -nop -w hidden -enc ");
    for (int i = 0; i < chars; i++) {
      sb.append(b64.charAt(r.nextInt(64)));
    }
    return sb.append(" whoami").toString();
  }

  @Test
  void shouldWriteEveryRevisionOfAnAlertLargerThanKafkasDefaultMessageSize() {
    String topic = "large";
    kafka.createTopic(topic, 1, (short) 1, Map.of());
    Instant t0 = Instant.now().minus(Duration.ofDays(1));
    int commands = 60;
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < commands; i++) {
      Ev e =
          Ev.atMicros(Timestamps.toMicros(t0.plusSeconds(i)))
              .device("web")
              .file("powershell.exe")
              .cmd(encodedCommand(i, 30_000));
      records.add(ClosingRevisionsEndToEndTest.on(topic, 0, e));
    }
    // another device's match behind the large ones, on the same partition
    records.add(
        ClosingRevisionsEndToEndTest.on(
            topic,
            0,
            Ev.atMicros(Timestamps.toMicros(t0.plusSeconds(commands)))
                .device("other")
                .cmd("cmd /c whoami")));
    Traffic.produce(kafka.clientConfig(), records);

    try (DetectorService.Running running =
        new DetectorService(
                Detectors.reading(kafka, topic, topic, InputFormat.JSON, stateDir)
                    .partitions(1)
                    .build())
            .start()) {
      List<JsonNode> alerts = alerts(topic + "-alerts", commands + 1);
      assertEquals(commands + 1, alerts.size());
      assertEquals(commands, alerts.get(commands - 1).get("commandLineCount").asInt());
      assertTrue(
          alerts.get(commands - 1).toString().length() > 3 << 20,
          "the last revision of the web server's alert is over 3 MB, its window's state over 1 MB");
      assertEquals("other", alerts.get(commands).get("deviceId").asText());
    }
    try (Preflight preflight = new Preflight(kafka.clientConfig())) {
      assertEquals(
          List.of(),
          preflight.smallRecordLimits(
              List.of(
                  topic + "-alerts",
                  topic + "-dead-letters",
                  DetectorStreams.windowChangelogTopic(topic))),
          "the topics the detector created, its window's changelog among them, take 32 MiB");
    }
  }

  @Test
  void shouldNameTheOutputTopicsThatCannotHoldTheLargestRecord() {
    kafka.createTopic("small-alerts", 1, (short) 1, Map.of());
    kafka.createTopic(
        "large-enough-alerts", 1, (short) 1, StreamsSettings.largeRecordsTopicConfig());

    try (Preflight preflight = new Preflight(kafka.clientConfig())) {
      List<String> small =
          preflight.smallRecordLimits(
              List.of("small-alerts", "large-enough-alerts", "no-such-topic"));

      assertEquals(1, small.size(), small.toString());
      assertTrue(small.get(0).startsWith("small-alerts ("), small.get(0));
      assertEquals(
          "max.message.bytes of small-alerts (1048588) is below the 33554432 bytes an alert can"
              + " take: it would stall; raise it (docs/operations.md, Large records)",
          preflight
              .smallRecordLimitsWarning(List.of("small-alerts"), "an alert", "it would stall")
              .orElseThrow());
      assertTrue(
          preflight
              .smallRecordLimitsWarning(
                  List.of("large-enough-alerts"), "an alert", "it would stall")
              .isEmpty());
    }
  }
}
