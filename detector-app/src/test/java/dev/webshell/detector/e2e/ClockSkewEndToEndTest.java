package dev.webshell.detector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.detector.hunt.Hunt;
import dev.webshell.detector.hunt.HuntResult;
import dev.webshell.detector.hunt.HuntSettings;
import dev.webshell.detector.offline.Scanner;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.detector.topology.DetectorClock;
import dev.webshell.detector.topology.Ev;
import dev.webshell.schema.DeviceProcessEvent;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import io.micrometer.core.instrument.Counter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC 4, "Clock skew and forged timestamps", on real brokers: one with Kafka 4's defaults (records
 * stamped more than an hour ahead are refused), one with both timestamp bounds tight (an hour
 * behind, a minute ahead). Whatever an event's date, the detector keeps running, every device gets
 * exactly the alerts {@code scan} prints, and no internal, alert or dead-letter record is refused.
 */
class ClockSkewEndToEndTest {
  static EmbeddedKafkaCluster defaults;
  static EmbeddedKafkaCluster tight;
  static final Duration TOLERANCE = Duration.ofMinutes(15);
  static final Function<byte[], String> UTF8 = b -> new String(b, StandardCharsets.UTF_8);
  @TempDir Path stateDir;

  @BeforeAll
  static void start() {
    defaults = EmbeddedKafkaCluster.start(1);
    tight =
        EmbeddedKafkaCluster.builder()
            .brokers(1)
            .brokerProperty("log.message.timestamp.before.max.ms", 3_600_000L)
            .brokerProperty("log.message.timestamp.after.max.ms", 60_000L)
            .start();
  }

  @AfterAll
  static void stop() {
    for (EmbeddedKafkaCluster k : new EmbeddedKafkaCluster[] {defaults, tight}) {
      if (k != null) {
        k.close();
      }
    }
  }

  private DetectorService.Running start(EmbeddedKafkaCluster kafka, String input, String appId) {
    DetectorService.Settings settings =
        Detectors.reading(kafka, input, appId, InputFormat.JSON, stateDir)
            .partitions(3)
            .clockSkewTolerance(TOLERANCE)
            .build();
    return new DetectorService(settings).start();
  }

  /** The alert revisions {@code scan} prints for these JSON lines, its clock being now. */
  static List<String> scan(List<String> jsonLines) {
    List<String> alerts = new ArrayList<>();
    try (Scanner scanner =
        new Scanner(RuleSpec.seed(), DetectorClock.fixedAt(Instant.now(), TOLERANCE))) {
      scanner.scan(
          new ByteArrayInputStream(
              (String.join("\n", jsonLines) + "\n").getBytes(StandardCharsets.UTF_8)),
          alerts::add,
          problem -> {
            throw new AssertionError(problem);
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return alerts;
  }

  /** Keyed by DeviceId, so that each device's events keep their order (as scan reads them). */
  static void produce(EmbeddedKafkaCluster kafka, String topic, List<String> jsonLines) {
    Topics.produce(
        kafka.clientConfig(),
        topic,
        jsonLines.stream()
            .<Map.Entry<String, byte[]>>map(
                j ->
                    new AbstractMap.SimpleEntry<>(
                        json(j).get("DeviceId").asText(), j.getBytes(StandardCharsets.UTF_8)))
            .toList());
  }

  static long micros(Instant i) {
    return Timestamps.toMicros(i);
  }

  static JsonNode json(String s) {
    try {
      return Traffic.JSON.readTree(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double counter(DetectorService.Running running, String name) {
    Counter c = running.meters().find(name).counter();
    return c == null ? 0 : c.count();
  }

  /** Three matches dated now, on three devices, and one dated half a year ahead on a fourth. */
  static List<String> fourRows(Instant now) {
    Instant base = now.minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MINUTES);
    return List.of(
        Ev.atMicros(micros(base)).device("dev-a").name("web-a").cmd("cmd /c whoami").json(),
        Ev.atMicros(micros(base.plusSeconds(60))).device("dev-b").cmd("cmd /c ipconfig").json(),
        Ev.atMicros(micros(base.plusSeconds(120))).device("dev-c").cmd("cmd /c systeminfo").json(),
        Ev.atMicros(micros(now.plus(Duration.ofDays(183)))).device("dev-d").json());
  }

  private void shouldAlertOnEachOfTheFourDevicesAndKeepRunning(
      EmbeddedKafkaCluster kafka, String name) {
    Instant now = Instant.now();
    List<String> rows = new ArrayList<>(fourRows(now));
    List<String> expected = scan(rows);
    assertEquals(4, expected.size(), "scan: one alert per device");
    kafka.createTopic(name, 1, (short) 1);
    produce(kafka, name, rows);

    try (DetectorService.Running running = start(kafka, name, name)) {
      List<String> alerts =
          Topics.readCommitted(
              kafka.clientConfig(), name + "-alerts", 4, Duration.ofSeconds(90), UTF8);
      assertEquals(Traffic.linesByDevice(expected), Traffic.linesByDevice(alerts));
      for (String a : alerts) {
        JsonNode alert = json(a);
        assertEquals(
            alert.get("deviceId").asText().equals("dev-d"),
            alert.get("aheadOfClock").asBoolean(),
            "only the fourth device's alert is ahead of the clock: " + a);
      }
      assertEquals(1, counter(running, "detector.events.ahead.of.clock"));
      assertEquals(0, counter(running, "detector.late.events.dropped"));

      // the detector goes on: a new command on the first device, a minute later, is a revision
      String next =
          Ev.atMicros(micros(now.minus(Duration.ofHours(2)).plusSeconds(180)))
              .device("dev-a")
              .cmd("cmd /c ping 10.0.0.1")
              .json();
      produce(kafka, name, List.of(next));
      List<String> all =
          Topics.readCommitted(
              kafka.clientConfig(), name + "-alerts", 5, Duration.ofSeconds(60), UTF8);
      assertEquals(5, all.size(), "one more revision");
      assertEquals(2, json(all.get(4)).get("revision").asInt());
      assertEquals(KafkaStreams.State.RUNNING, running.streams().state());
      assertEquals(
          List.of(),
          Topics.readCommittedWithHeaders(
              kafka.clientConfig(), name + "-dead-letters", Duration.ofSeconds(1)));
      assertEquals(0, counter(running, "detector.retryable.failures"));
    }
  }

  @Test
  void shouldAlertOnEachOfFourDevicesWhenOneIsDatedHalfAYearAheadUnderKafkaDefaults()
      throws Exception {
    try (Admin admin = Admin.create(defaults.clientConfig())) {
      String broker = defaults.brokerIds().iterator().next().toString();
      ConfigResource r = new ConfigResource(ConfigResource.Type.BROKER, broker);
      Config c = admin.describeConfigs(List.of(r)).all().get().get(r);
      assertEquals(
          "3600000",
          c.get("log.message.timestamp.after.max.ms").value(),
          "Kafka 4's default: records more than an hour ahead are refused");
    }
    shouldAlertOnEachOfTheFourDevicesAndKeepRunning(defaults, "four-rows");
  }

  @Test
  void shouldAlertOnEachOfFourDevicesWhenOneIsDatedHalfAYearAheadUnderTightTimestampBounds() {
    shouldAlertOnEachOfTheFourDevicesAndKeepRunning(tight, "four-rows-tight");
  }

  /**
   * Normal traffic of many devices (a day ago, event by event) interleaved with a flood from one
   * device whose events are dated from a day to a year ahead.
   */
  @Test
  void shouldAlertOnEveryOtherDeviceAsScanDoesWhileOneDeviceFloodsFutureDatedEvents() {
    Instant now = Instant.now();
    long start = micros(now.minus(Duration.ofDays(1)));
    TrafficGenerator gen = new TrafficGenerator(31, 200, 0.01);
    Random r = new Random(31);
    List<String> normal = new ArrayList<>();
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      String line = EventJson.toJson(gen.next(start + i * 20_000_000L));
      normal.add(line);
      all.add(line);
      if (i % 2 == 0) {
        long ahead = micros(now) + (long) ((1 + r.nextDouble() * 364) * 86_400_000_000L);
        all.add(
            Ev.atMicros(ahead)
                .device("forger")
                .cmd("cmd /c whoami #" + r.nextInt(50))
                .initiating("w3wp.exe")
                .json());
      }
    }
    List<String> expected = scan(all);
    Map<String, List<String>> expectedByDevice = Traffic.linesByDevice(expected);
    List<String> forger = expectedByDevice.remove("forger");
    assertEquals(
        Traffic.linesByDevice(scan(normal)),
        expectedByDevice,
        "scan: the flood changes nothing for the other devices");
    assertTrue(expectedByDevice.size() > 5, "several other devices alert");
    assertFalse(forger.isEmpty());

    defaults.createTopic("flood", 3, (short) 1);
    produce(defaults, "flood", all);
    try (DetectorService.Running running = start(defaults, "flood", "flood")) {
      List<String> alerts =
          Topics.readCommitted(
              defaults.clientConfig(),
              "flood-alerts",
              expected.size(),
              Duration.ofSeconds(120),
              UTF8);
      Map<String, List<String>> byDevice = Traffic.linesByDevice(alerts);
      assertEquals(forger, byDevice.remove("forger"), "the forger's own alerts as scan says");
      assertEquals(expectedByDevice, byDevice, "every other device exactly as scan says");
      forger.forEach(a -> assertTrue(json(a).get("aheadOfClock").asBoolean(), a));
      assertEquals(1500, counter(running, "detector.events.ahead.of.clock"));
      assertEquals(KafkaStreams.State.RUNNING, running.streams().state());
    }
  }

  /** A device whose clock is on local time (UTC+8) but labels it UTC: eight hours ahead. */
  @Test
  void shouldAlertOnADeviceWhoseLocalTimeIsLabelledUtcAndOnTheOthersAsScanDoes() {
    Instant now = Instant.now();
    long start = micros(now.minus(Duration.ofHours(3)));
    TrafficGenerator gen = new TrafficGenerator(47, 50, 0.01);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      DeviceProcessEvent e = gen.next(start + i * 6_000_000L);
      lines.add(EventJson.toJson(e));
      if (i % 100 == 0) {
        long eightHoursAhead = start + i * 6_000_000L + 8 * 3_600_000_000L;
        lines.add(
            Ev.atMicros(eightHoursAhead)
                .device("utc-plus-8")
                .cmd(i % 200 == 0 ? "cmd /c whoami" : "cmd /c ipconfig /all")
                .json());
      }
    }
    List<String> expected = scan(lines);
    Map<String, List<String>> expectedByDevice = Traffic.linesByDevice(expected);
    assertEquals(2, expectedByDevice.get("utc-plus-8").size(), "two distinct lines: 2 revisions");

    defaults.createTopic("local-time", 1, (short) 1);
    produce(defaults, "local-time", lines);
    try (DetectorService.Running running = start(defaults, "local-time", "local-time")) {
      List<String> alerts =
          Topics.readCommitted(
              defaults.clientConfig(),
              "local-time-alerts",
              expected.size(),
              Duration.ofSeconds(90),
              UTF8);
      assertEquals(expectedByDevice, Traffic.linesByDevice(alerts));
      Traffic.linesByDevice(alerts)
          .get("utc-plus-8")
          .forEach(a -> assertTrue(json(a).get("aheadOfClock").asBoolean(), a));
      assertEquals(0, counter(running, "detector.late.events.dropped"));
    }
  }

  /**
   * A topic written a year ago (its records stamped then) on a broker that refuses anything stamped
   * more than an hour behind its clock: neither {@code run} nor a retro-hunt writes a record the
   * broker refuses, and both give scan's alerts.
   */
  @Test
  void shouldReplayAYearOldTopicWithRunAndHuntUnderTightTimestampBounds() {
    Instant yearAgo = Instant.now().minus(Duration.ofDays(365));
    long start = micros(yearAgo);
    TrafficGenerator gen = new TrafficGenerator(53, 100, 0.006);
    List<DeviceProcessEvent> events = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      events.add(gen.next(start + i * 30_000_000L));
    }
    List<String> lines = events.stream().map(EventJson::toJson).toList();
    List<String> expected = scan(lines);
    assertTrue(expected.size() > 5);

    // the topic accepts old timestamps (it was written back then); the broker's default does not
    tight.createTopic(
        "year-old",
        3,
        (short) 1,
        Map.of(
            "message.timestamp.before.max.ms",
            Long.toString(Long.MAX_VALUE),
            // nor does its retention delete a year-old record before the test reads it
            "retention.ms",
            "-1"));
    Map<String, Object> c = new java.util.HashMap<>(tight.clientConfig());
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(c, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < events.size(); i++) {
        DeviceProcessEvent e = events.get(i);
        p.send(
            new ProducerRecord<>(
                "year-old",
                null,
                e.getTimestamp().toEpochMilli(),
                e.getDeviceId(),
                lines.get(i).getBytes(StandardCharsets.UTF_8)));
      }
      p.flush();
    }

    try (DetectorService.Running running = start(tight, "year-old", "year-old")) {
      List<String> alerts =
          Topics.readCommitted(
              tight.clientConfig(),
              "year-old-alerts",
              expected.size(),
              Duration.ofSeconds(90),
              UTF8);
      assertEquals(Traffic.linesByDevice(expected), Traffic.linesByDevice(alerts));
      assertEquals(0, counter(running, "detector.retryable.failures"));
    }

    StringWriter err = new StringWriter();
    List<String> hunted = new ArrayList<>();
    HuntSettings settings =
        new HuntSettings(
            tight.clientConfig(),
            List.of("year-old"),
            null,
            yearAgo.minus(Duration.ofDays(1)),
            yearAgo.plus(Duration.ofDays(2)),
            Duration.ofHours(1),
            true,
            InputFormat.AUTO,
            null,
            RuleSpec.seed(),
            null,
            AlertFormat.JSON,
            null,
            "exactly_once_v2",
            stateDir.resolve("hunt"),
            Duration.ofSeconds(5),
            DetectorClock.fixedAt(Instant.now(), TOLERANCE));
    HuntResult result = new Hunt(settings, new PrintWriter(err, true), false).run(hunted::add);
    assertFalse(result.interrupted(), err.toString());
    assertEquals(Traffic.linesByDevice(expected), Traffic.linesByDevice(hunted), err.toString());
  }
}
