package dev.webshell.detector.hunt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.cli.Main;
import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * SPEC-level promise of a retro-hunt (issue 16): it reads every record that may hold an event of
 * its range. Record timestamps prune the read only where samples show they follow event times; a
 * hunt that may have left events out never reports a clean result.
 *
 * <p>The case that went wrong: a topic refilled from an export (record timestamps of today, events
 * of a month ago), hunted with default flags over {@code --from <a month ago> --to <today>} — it
 * read nothing and reported "0 alert revisions" with exit 0.
 */
class HuntReadsWhatTheRangeNeedsTest {
  static final RuleSpec RULE = RuleFiles.builtIn("kql");
  static final String BACKFILLED = "backfilled";
  static final String LIVE = "live-stamped";
  @AutoClose static EmbeddedKafkaCluster kafka;
  static List<HuntData.Event> events;
  static List<String> scanned;
  @TempDir static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafkaCluster.start(1);
    events = HuntData.events(77, 1500);
    scanned = HuntData.scan(RULE, events);
    Map<String, String> keep = Map.of("retention.ms", "-1");
    kafka.createTopic(BACKFILLED, 3, (short) 1, keep);
    kafka.createTopic(LIVE, 3, (short) 1, keep);
    // the export: every record stamped now, the events of 2021
    try (KafkaProducer<String, String> p = HuntData.producer(kafka.clientConfig())) {
      List<Future<?>> sent = new ArrayList<>();
      for (HuntData.Event e : events) {
        sent.add(p.send(new ProducerRecord<>(BACKFILLED, e.deviceId(), e.json())));
      }
      for (Future<?> f : sent) {
        f.get();
      }
    }
    // a live topic: record timestamps = event times
    HuntData.produceFlat(kafka.clientConfig(), LIVE, events);
  }

  record Run(int code, List<String> alerts, String err) {}

  static Run hunt(String topic, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "hunt",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--input-topics",
                topic,
                "--state-dir",
                tmp.resolve("state").toString()));
    args.addAll(List.of(extra));
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args.toArray(String[]::new));
    List<String> alerts = out.toString().lines().filter(l -> l.startsWith("{")).toList();
    System.out.println(err);
    return new Run(code, alerts, err.toString());
  }

  /**
   * Midnight UTC a day ago, as a range's end: the records were stamped at least a day after it,
   * beyond the default slack of an hour at any time of day (today's midnight was not, in the hour
   * after it).
   */
  static String aDayAgo() {
    return LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
  }

  @Test
  void shouldReadEveryRecordOfABackfilledTopicWithDefaultFlagsAndFindWhatScanFinds() {
    Run run = hunt(BACKFILLED, "--from", "2021-04-01", "--to", aDayAgo());
    assertEquals(0, run.code(), run.err());
    assertTrue(run.err().contains("reading every record"), run.err());
    assertEquals(HuntData.byDevice(scanned), HuntData.byDevice(run.alerts()), run.err());
  }

  @Test
  void shouldRefuseAGivenSlackThatWouldLeaveOutEventsOfTheRangeAndSayWhatToChange() {
    Run run = hunt(BACKFILLED, "--from", "2021-04-01", "--to", aDayAgo(), "--slack", "1h");
    assertEquals(1, run.code(), run.err());
    assertTrue(run.err().contains("would leave out events of the range"), run.err());
    assertTrue(run.err().contains("--slack unbounded"), run.err());
    assertEquals(List.of(), run.alerts());
  }

  @Test
  void shouldPruneByRecordTimestampWhereSamplesConfirmItAndStillFindEverything() {
    Instant from = HuntData.START.plus(java.time.Duration.ofDays(1));
    Instant to = from.plus(java.time.Duration.ofDays(1));
    Run run = hunt(LIVE, "--from", from.toString(), "--to", to.toString());
    assertEquals(0, run.code(), run.err());
    assertTrue(run.err().contains("confirmed by"), run.err());
    assertTrue(run.err().contains(" left out"), run.err());
    // the same as reading every record of the topic
    Run all = hunt(LIVE, "--from", from.toString(), "--to", to.toString(), "--slack", "unbounded");
    assertEquals(0, all.code(), all.err());
    assertTrue(!all.alerts().isEmpty(), "the range holds alerts");
    assertEquals(HuntData.byDevice(all.alerts()), HuntData.byDevice(run.alerts()));
  }

  @Test
  void shouldReportAnEmptyTopicAsCleanWithoutFailing() {
    kafka.createTopic("empty", 3, (short) 1);
    Run run = hunt("empty", "--from", "2021-04-01", "--to", aDayAgo());
    assertEquals(0, run.code(), run.err());
    assertTrue(run.err().contains("nothing to read"), run.err());
    assertTrue(run.err().contains("done in"), run.err());
  }

  @Test
  void shouldCallAResultInconclusiveWhenAGivenSlackLeftOutRecordsNobodyCouldCheck()
      throws Exception {
    // a topic whose old records cannot be decoded (no registry for their Avro): nothing to sample
    kafka.createTopic("opaque", 1, (short) 1, Map.of("retention.ms", "-1"));
    try (KafkaProducer<String, String> p = HuntData.producer(kafka.clientConfig())) {
      long old = HuntData.START.toEpochMilli();
      for (int i = 0; i < 50; i++) {
        p.send(new ProducerRecord<>("opaque", 0, old + i, "k", "\u0000\u0000\u0000\u0000\u0001x"))
            .get();
      }
    }
    Run run = hunt("opaque", "--from", "2025-01-01", "--to", aDayAgo(), "--slack", "1h");
    assertEquals(3, run.code(), run.err());
    assertTrue(run.err().contains("INCONCLUSIVE"), run.err());
    assertTrue(run.err().contains("--slack unbounded"), run.err());
  }
}
