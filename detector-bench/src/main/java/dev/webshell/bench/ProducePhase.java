package dev.webshell.bench;

import static dev.webshell.bench.Stats.mb;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.JsonInputDecoder;
import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.generator.Deliveries;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.generator.ProcessTreeTraffic;
import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.detector.generator.WindowsEventJson;
import dev.webshell.detector.offline.Scanner;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.schema.DeviceProcessEvent;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The bench's input: {@code --events} full-width events produced once, read by every round. The
 * alert revisions the detector must emit for them come from the offline scanner over the matching
 * events, so each round can tell when it has seen them all.
 */
final class ProducePhase {
  private final BenchOptions o;
  private final BenchClients clients;
  private final SchemaRegistryClient registry;
  private final RuleSpec rule;
  private final Report report;
  private final PrintWriter err;

  ProducePhase(
      BenchOptions o,
      BenchClients clients,
      SchemaRegistryClient registry,
      RuleSpec rule,
      Report report,
      PrintWriter err) {
    this.o = o;
    this.clients = clients;
    this.registry = registry;
    this.rule = rule;
    this.report = report;
    this.err = err;
  }

  /**
   * Produces the throughput topic, keyed by DeviceId, one millisecond apart in event time and
   * ending about now (well inside the 7-day lookback); returns the alert revisions the detector
   * must emit.
   */
  long run(String topic) throws Exception {
    if (o.windowsShape() != null) {
      return runWindows(topic, o.windowsShape());
    }
    long events = o.events();
    err.printf("bench: producing %,d %s events to %s%n", events, o.format(), topic);
    TrafficGenerator gen =
        new TrafficGenerator(o.seed(), o.devices(), o.intrusionsPerMillion() / 1_000_000.0);
    EventEncoder encoder = new EventEncoder(o.avro(), registry, topic);
    Rule r = new Rule(rule);
    long startMicros = Timestamps.toMicros(Instant.now()) - events * 1000L;
    StringBuilder matching = new StringBuilder();
    long matches = 0;
    Sizes sizes = new Sizes();
    long t0 = System.nanoTime();
    Deliveries deliveries = new Deliveries();
    try (KafkaProducer<String, byte[]> producer = clients.producer(20)) {
      for (long i = 0; i < events; i++) {
        DeviceProcessEvent e = gen.next(startMicros + i * 1000L);
        byte[] value = encoder.encode(e);
        sizes.add(value.length);
        if (matches(r, e)) {
          matches++;
          matching.append(EventJson.toJson(e)).append('\n');
        }
        producer.send(new ProducerRecord<>(topic, e.getDeviceId(), value), deliveries);
        if ((i + 1) % 500_000 == 0) {
          err.printf("bench: %,d produced%n", i + 1);
        }
      }
      producer.flush();
    }
    deliveries.check(topic);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long expected =
        scan(new ByteArrayInputStream(matching.toString().getBytes(StandardCharsets.UTF_8)));
    sizes.report(report, events, o.format() + " events");
    report.put("matchingEvents", matches);
    report.put("expectedAlertRevisions", expected);
    report.row(
        "matching events",
        String.format(
            Locale.ROOT,
            "%,d (%.3f %%) on %,d devices; %,d alert revisions expected (offline scan)",
            matches,
            100.0 * matches / events,
            o.devices(),
            expected));
    report.row(
        "produce",
        String.format(Locale.ROOT, "%.1f s (%,.0f events/s)", seconds, events / seconds));
    err.printf("bench: produced in %.1f s; %d matching events%n", seconds, matches);
    return expected;
  }

  /**
   * Produces Windows process trees in {@code shape} ({@link ProcessTreeTraffic}: {@code --devices}
   * hosts, an intrusion starting at {@code --intrusions-per-million} of the records), keyed by
   * host, one millisecond apart and ending about now; returns the alert revisions the detector must
   * emit: those of an offline scan of the records that matter to a process tree (the rest cannot
   * change an alert, and the generator writes parents before their children).
   */
  private long runWindows(String topic, WindowsEventJson.Shape shape) throws Exception {
    long events = o.events();
    err.printf("bench: producing %,d %s records to %s%n", events, o.format(), topic);
    ProcessTreeTraffic gen =
        new ProcessTreeTraffic(o.seed(), o.devices(), o.intrusionsPerMillion() / 1_000_000.0, 0);
    Rule r = new Rule(rule);
    JsonInputDecoder decoder = new JsonInputDecoder(InputFormat.JSON);
    long startMicros = Timestamps.toMicros(Instant.now()) - events * 1000L;
    // the records that matter, on disk: a million records' worth would not fit the bench's heap
    Path relevantFile = Files.createTempFile("bench-process-tree-", ".jsonl");
    long treeEvents = 0;
    long candidates = 0;
    Sizes sizes = new Sizes();
    long t0 = System.nanoTime();
    Deliveries deliveries = new Deliveries();
    try (KafkaProducer<String, byte[]> producer = clients.producer(20);
        OutputStream relevant = new BufferedOutputStream(Files.newOutputStream(relevantFile))) {
      for (long i = 0; i < events; i++) {
        ProcessTreeTraffic.Record rec = gen.next(startMicros + i * 1000L);
        String json = WindowsEventJson.toJson(rec, shape);
        byte[] value = json.getBytes(StandardCharsets.UTF_8);
        sizes.add(value.length);
        for (ProcessEvent e : decoder.decode(value).events()) {
          if (e.lineage() != null ? r.mattersToTheTree(e) : r.matches(e)) {
            treeEvents++;
            relevant.write(value);
            relevant.write('\n');
          }
          if (r.isCandidate(e)) {
            candidates++;
          }
        }
        producer.send(new ProducerRecord<>(topic, rec.host(), value), deliveries);
        if ((i + 1) % 500_000 == 0) {
          err.printf("bench: %,d produced%n", i + 1);
        }
      }
      producer.flush();
    }
    deliveries.check(topic);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long expected;
    try {
      try (InputStream in = new BufferedInputStream(Files.newInputStream(relevantFile))) {
        expected = scan(in);
      }
    } finally {
      Files.deleteIfExists(relevantFile);
    }
    sizes.report(report, events, o.format() + " records");
    report.put("processTreeEvents", treeEvents);
    report.put("candidateEvents", candidates);
    report.put("expectedAlertRevisions", expected);
    report.row(
        "process-tree events",
        String.format(
            Locale.ROOT,
            "%,d (%.3f %%) on %,d hosts, %,d shells running a suspicious command;"
                + " %,d alert revisions expected (offline scan)",
            treeEvents,
            100.0 * treeEvents / events,
            o.devices(),
            candidates,
            expected));
    report.row(
        "produce",
        String.format(Locale.ROOT, "%.1f s (%,.0f events/s)", seconds, events / seconds));
    err.printf("bench: produced in %.1f s; %d process-tree events%n", seconds, treeEvents);
    return expected;
  }

  /** The alert revisions an offline scan of these JSON lines emits. */
  private long scan(InputStream in) throws Exception {
    try (Scanner scanner = new Scanner(rule)) {
      long[] n = {0};
      scanner.scan(in, a -> n[0]++, p -> {});
      return n[0];
    }
  }

  private static boolean matches(Rule r, DeviceProcessEvent e) {
    return r.matches(
        str(e.getFileName()),
        str(e.getProcessCommandLine()),
        str(e.getInitiatingProcessFileName()),
        str(e.getInitiatingProcessParentFileName()),
        str(e.getInitiatingProcessCommandLine()));
  }

  private static String str(CharSequence s) {
    return s == null ? null : s.toString();
  }

  /** The sizes of the values produced, and what the report says of them. */
  private static final class Sizes {
    private long bytes;
    private long min = Long.MAX_VALUE;
    private long max;

    void add(int length) {
      bytes += length;
      min = Math.min(min, length);
      max = Math.max(max, length);
    }

    /** The input's count, total and value sizes; {@code what}: e.g. "json events". */
    void report(Report report, long events, String what) {
      report.put("events", events);
      report.put("avgEventBytes", Math.round((double) bytes / events));
      report.row("input", String.format(Locale.ROOT, "%,d %s, %.1f MB", events, what, mb(bytes)));
      report.row(
          "event size (value bytes)",
          String.format(Locale.ROOT, "avg %d, min %d, max %d", bytes / events, min, max));
    }
  }
}
