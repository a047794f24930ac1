package dev.webshell.detector.hunt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.detector.topology.DetectorClock;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retro-hunts on a real broker: they end by themselves, print per device exactly what {@code scan}
 * prints for the equivalent flat file and what the live detector wrote, and leave nothing behind.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HuntTest {
  static final String FLAT = "flat-events";
  static final String ENVELOPES = "envelope-events";
  static final String SYSMON = "sysmon-events";
  static final RuleSpec RULE = RuleFiles.builtIn("kql");
  static final Map<String, String> KEEP_FOREVER = Map.of("retention.ms", "-1");
  @AutoClose static EmbeddedKafkaCluster kafka;
  static List<HuntData.Event> events;
  static List<String> scanned;
  static HuntData.Envelopes envelopes;
  static List<HuntData.Event> sysmon;

  @TempDir static Path tmp;

  @BeforeAll
  static void startKafkaAndProduce() throws Exception {
    kafka = EmbeddedKafkaCluster.start(1);
    events = HuntData.events(42, 4000);
    scanned = HuntData.scan(RULE, events);
    // records stamped in 2021: without this the broker's 7-day retention deletes them at its first
    // check, 30 s after its start
    kafka.createTopic(FLAT, 3, (short) 1, KEEP_FOREVER);
    HuntData.produceFlat(kafka.clientConfig(), FLAT, events);
    kafka.createTopic(ENVELOPES, 3, (short) 1, KEEP_FOREVER);
    envelopes = HuntData.envelopes(events, 3, 7);
    HuntData.produceEnvelopes(kafka.clientConfig(), ENVELOPES, envelopes);
    kafka.createTopic(SYSMON, 3, (short) 1, KEEP_FOREVER);
    sysmon = HuntData.sysmon(43, 3000);
    HuntData.produceFlat(kafka.clientConfig(), SYSMON, sysmon);
  }

  static HuntSettings settings(String topic, Instant from, Instant to) {
    return new HuntSettings(
        kafka.clientConfig(),
        List.of(topic),
        null,
        from,
        to,
        Duration.ofHours(1),
        true,
        InputFormat.AUTO,
        null,
        RULE,
        null,
        AlertFormat.JSON,
        null,
        "exactly_once_v2",
        tmp.resolve("hunt-state"),
        Duration.ofSeconds(5),
        DetectorClock.fixedAt(Instant.now(), DetectorClock.DEFAULT_TOLERANCE));
  }

  record Ran(HuntResult result, List<String> alerts, String err) {}

  static Ran hunt(HuntSettings settings) {
    StringWriter err = new StringWriter();
    List<String> alerts = new ArrayList<>();
    Hunt hunt = new Hunt(settings, new PrintWriter(err, true), false);
    HuntResult result = hunt.run(alerts::add);
    // the hunt's stderr, for the test report (surefire keeps it in the -output.txt file)
    System.out.print(err);
    System.out.println("hunt: " + alerts.size() + " alert lines printed");
    return new Ran(result, alerts, err.toString());
  }

  static Instant end() {
    return Instant.parse("2021-05-14T00:00:00Z");
  }

  @Test
  void shouldPrintPerDeviceWhatScanPrintsAndWhatTheLiveDetectorWroteOnAThreePartitionTopic()
      throws Exception {
    assertTrue(scanned.size() >= 10, "the data should raise a fair number of revisions");
    assertTrue(HuntData.byDevice(scanned).size() >= 3, "on several devices");

    Ran ran = hunt(settings(FLAT, HuntData.START, end()));

    assertFalse(ran.result().interrupted(), ran.err());
    assertEquals(events.size(), ran.result().recordsPlanned(), ran.err());
    assertEquals(events.size(), ran.result().recordsRead(), ran.err());
    assertEquals(events.size(), ran.result().events(), ran.err());
    assertEquals(scanned.size(), ran.alerts().size(), ran.err());
    assertEquals(HuntData.byDevice(scanned), HuntData.byDevice(ran.alerts()), ran.err());
    assertEquals(List.of(), ran.result().leftovers(), ran.err());
    assertTrue(ran.err().contains("done in "), ran.err());
    assertNothingLeftBehind(ran.result().applicationId());

    List<String> live = runLiveDetector();
    assertEquals(HuntData.byDevice(live), HuntData.byDevice(ran.alerts()));
  }

  /** The live detector ({@code run}) on the same topic; its alerts read back read_committed. */
  static List<String> runLiveDetector() throws Exception {
    DetectorService.Settings s =
        DetectorService.Settings.builder(kafka.clientConfig())
            .inputTopics(List.of(FLAT))
            .outputTopic("live-alerts")
            .deadLetterTopic("live-dead-letters")
            .applicationId("live-detector")
            .stateDir(Files.createDirectories(tmp.resolve("live-state")))
            .inputFormat(InputFormat.AUTO)
            .alertFormat(AlertFormat.JSON)
            .rule(RULE)
            .metricsPort(-1)
            .createTopics(true)
            .partitions(3)
            .replicationFactor((short) 1)
            .build();
    List<String> alerts = new ArrayList<>();
    try (DetectorService.Running running = new DetectorService(s).start();
        KafkaConsumer<String, String> consumer = readCommitted()) {
      consumer.subscribe(List.of("live-alerts"));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
      while (alerts.size() < scanned.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          alerts.add(r.value());
        }
      }
      // nothing more than the expected revisions arrives
      long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (System.nanoTime() < quiet) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          alerts.add(r.value());
        }
      }
      assertFalse(running.streams().state().hasCompletedShutdown());
    }
    assertEquals(scanned.size(), alerts.size());
    return alerts;
  }

  static KafkaConsumer<String, String> readCommitted() {
    Map<String, Object> c = new HashMap<>(kafka.clientConfig());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + System.nanoTime());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
  }

  @Test
  void shouldReadStreamingApiEnvelopesLikeScanReadsTheFlatFileAndReportSkippedCategories() {
    Ran ran = hunt(settings(ENVELOPES, HuntData.START, end()));

    assertFalse(ran.result().interrupted(), ran.err());
    assertEquals(HuntData.byDevice(scanned), HuntData.byDevice(ran.alerts()), ran.err());
    assertEquals(scanned.size(), ran.alerts().size(), ran.err());
    assertEquals(events.size(), ran.result().events(), ran.err());
    assertEquals(envelopes.skipped(), ran.result().skippedByCategory(), ran.err());
    assertTrue(envelopes.bad() > 0, "the data should hold unreadable records");
    assertEquals(envelopes.bad(), ran.result().deadLetters(), ran.err());
    assertFalse(ran.result().deadLetterSamples().isEmpty(), ran.err());
    assertTrue(
        ran.result().deadLetterSamples().get(0).startsWith(ENVELOPES + "/"),
        ran.result().deadLetterSamples().toString());
    for (Map.Entry<String, Long> e : envelopes.skipped().entrySet()) {
      assertTrue(ran.err().contains(e.getKey() + "=" + e.getValue()), ran.err());
    }
    assertTrue(
        ran.err().contains(envelopes.bad() + " dead letters {missing-field=" + envelopes.bad()),
        ran.err());
    assertNothingLeftBehind(ran.result().applicationId());
  }

  @Test
  void shouldWaitForTheProcessTreesAndPrintWhatScanPrintsForSysmonRecords() {
    List<String> expected = HuntData.scanLines(RULE, HuntData.lines(sysmon));
    assertTrue(expected.size() >= 5, "the Sysmon data should raise revisions: " + expected);
    assertTrue(
        expected.stream().anyMatch(a -> a.contains("\"initiatingProcessParentFileNames\":[\"")),
        "a web server's grandchild among them");

    Ran ran = hunt(settings(SYSMON, HuntData.START, end()));

    assertFalse(ran.result().interrupted(), ran.err());
    assertEquals(sysmon.size(), ran.result().recordsRead(), ran.err());
    // the tree's matches go through a repartition topic of their own: the hunt waits for it too
    assertEquals(HuntData.byDevice(expected), HuntData.byDevice(ran.alerts()), ran.err());
    assertNothingLeftBehind(ran.result().applicationId());
  }

  @Test
  void shouldEndAtOnceWithNothingToReadWhenNoRecordIsStampedNearTheRange() {
    Ran ran =
        hunt(
            settings(
                FLAT,
                Instant.parse("2020-01-01T00:00:00Z"),
                Instant.parse("2020-02-01T00:00:00Z")));
    assertEquals(0, ran.result().recordsPlanned(), ran.err());
    assertEquals(List.of(), ran.alerts());
    assertTrue(ran.err().contains("nothing to read"), ran.err());
    assertNothingLeftBehind(ran.result().applicationId());
  }

  @Test
  void shouldRemoveEverythingItCreatedWhenCancelled() throws Exception {
    StringWriter err = new StringWriter();
    Hunt hunt = new Hunt(settings(FLAT, HuntData.START, end()), new PrintWriter(err, true), false);
    hunt.cancel(); // Ctrl-C arrives before the hunt gets anywhere: it still sets up, then unwinds
    HuntResult result = hunt.run(line -> {});
    assertTrue(hunt.awaitFinished(Duration.ZERO));
    assertTrue(result.interrupted(), err.toString());
    assertTrue(err.toString().contains("interrupted"), err.toString());
    assertEquals(List.of(), result.leftovers(), err.toString());
    assertNothingLeftBehind(result.applicationId());
  }

  static void assertNothingLeftBehind(String appId) {
    Admin admin = kafka.admin();
    try {
      Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      assertTrue(
          topics.stream().noneMatch(t -> t.startsWith(HuntSettings.APPLICATION_ID_PREFIX)),
          topics.toString());
      assertFalse(topics.contains("alerts.dead-letters"), topics.toString());
      List<String> groups =
          admin.listGroups().all().get(30, TimeUnit.SECONDS).stream()
              .map(GroupListing::groupId)
              .toList();
      assertFalse(groups.contains(appId), groups.toString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertFalse(Files.exists(tmp.resolve("hunt-state").resolve(appId)));
  }
}
