package dev.webshell.detector.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.QuietRuns;
import dev.webshell.detector.generator.ProcessTreeTraffic;
import dev.webshell.detector.generator.WindowsEventJson;
import dev.webshell.detector.ops.DetectorMetrics;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleSpec;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The topology's output is the same whether the detector's consumer folds runs of quiet records
 * ({@link QuietRunFolder}) or not: the same revisions in the same order, the same dead letters with
 * the same reasons, and the same counts in every metric the detector keeps — over the wide
 * differential streams (both profiles, floods, late events, events dated ahead of the clock, Avro
 * and Streaming API envelopes), Windows process trees out of order with records of other event
 * types, and unreadable records and forged run records among them, polled in runs of random size;
 * two of the streams also as a hunt over the middle half of their time.
 */
class QuietRunFoldingTest {
  @TempDir Path stateDir;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {101, 102, 103, 104, 105, 106, 201, 202})
  void shouldGiveTheSameOutputAsReadingEveryRecordForTheDifferentialStreams(long seed) {
    DifferentialRun run = DifferentialRun.of(seed);
    Random random = new Random(seed);
    // benign processes between the stream's events, at their times, as in real traffic
    List<Ev> events = new ArrayList<>();
    for (Ev e : run.stream.events()) {
      events.add(e);
      for (int k = random.nextInt(7); k > 0; k--) {
        events.add(
            Ev.atMicros(e.micros)
                .device(e.deviceId)
                .file("notepad.exe")
                .cmd("notepad.exe c:\\temp\\a" + k + ".txt")
                .initiating("explorer.exe"));
      }
    }
    List<byte[]> values = new ArrayList<>();
    if (seed >= 200) {
      InputEncodings.envelopes(events, seed).forEach(e -> values.add(e.bytes()));
    } else {
      events.forEach(e -> values.add(e.json().getBytes(StandardCharsets.UTF_8)));
    }
    List<byte[]> input = withBrokenRecords(values, random);
    // as a hunt over the middle of the stream's time, for two of the seeds
    Long from = null;
    Long to = null;
    if (seed == 103 || seed == 201) {
      long first = events.stream().mapToLong(e -> e.micros).min().orElseThrow();
      long last = events.stream().mapToLong(e -> e.micros).max().orElseThrow();
      from = first + (last - first) / 4;
      to = last - (last - first) / 4;
    }
    QuietRuns runs = QuietRuns.withRandomSecret();
    Output plain = detect(run.rule, run.clock, InputFormat.AUTO, input, null, random, from, to);
    Output folded = detect(run.rule, run.clock, InputFormat.AUTO, input, runs, random, from, to);
    assertSame(plain, folded, input.size());
    if (from != null) {
      assertTrue(plain.metrics.containsKey("outOfRange"), "events outside the hunt's range");
    }
    // a hunt over half the time sees fewer devices reach an alert
    int fewest = from == null ? 10 : 2;
    assertTrue(plain.revisions.size() > fewest, "revisions: " + plain.revisions.size());
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void shouldGiveTheSameOutputAsReadingEveryRecordForWindowsProcessTrees(long seed) {
    WindowsEventJson.Shape shape = WindowsEventJson.Shape.values()[(int) seed % 4];
    ProcessTreeTraffic traffic = new ProcessTreeTraffic(seed, 8, 0.01, seed % 2 == 0 ? 0.3 : 0);
    long start = Instant.now().minus(Duration.ofDays(3)).toEpochMilli() * 1000;
    Random random = new Random(seed);
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      ProcessTreeTraffic.Record r = traffic.next(start + i * 1_500_000L);
      values.add(WindowsEventJson.toJson(r, shape).getBytes(StandardCharsets.UTF_8));
    }
    List<byte[]> input = withBrokenRecords(values, random);
    RuleSpec rule = RuleSpec.seed();
    DetectorClock clock = TopologyHarness.FAR_FUTURE;
    QuietRuns runs = QuietRuns.withRandomSecret();
    Output plain = detect(rule, clock, InputFormat.JSON, input, null, random, null, null);
    Output folded = detect(rule, clock, InputFormat.JSON, input, runs, random, null, null);
    assertSame(plain, folded, input.size());
    assertTrue(plain.revisions.size() > 0, "revisions: " + plain.revisions.size());
    assertTrue(
        plain.metrics.keySet().stream().anyMatch(k -> k.startsWith("skippedCategory ")),
        "records of other event types: " + plain.metrics);
  }

  /** Unreadable records, and records that look like a run's but carry another secret. */
  private static List<byte[]> withBrokenRecords(List<byte[]> values, Random random) {
    QuietRuns forger = QuietRuns.withRandomSecret();
    List<byte[]> out = new ArrayList<>();
    for (byte[] v : values) {
      out.add(v);
      int dice = random.nextInt(100);
      if (dice == 0) {
        out.add("{\"Timestamp\": ".getBytes(StandardCharsets.UTF_8));
      } else if (dice == 1) {
        out.add("not json".getBytes(StandardCharsets.UTF_8));
      } else if (dice == 2) {
        out.add(forger.encode("json", new long[] {Long.MAX_VALUE / 2}, 1, List.of()));
      }
    }
    return out;
  }

  private record Output(
      List<String> revisions, List<String> deadLetters, Map<String, Long> metrics, int piped) {}

  private Output detect(
      RuleSpec rule,
      DetectorClock clock,
      InputFormat format,
      List<byte[]> input,
      QuietRuns runs,
      Random random,
      Long fromMicros,
      Long toMicros) {
    CountingMetrics metrics = new CountingMetrics();
    InputDeserializer deserializer = new InputDeserializer(format, null, new Rule(rule), runs);
    Path dir = stateDir.resolve(runs == null ? "plain" : "folded");
    List<JsonNode> revisions = new ArrayList<>();
    int piped;
    List<String> deadLetters = new ArrayList<>();
    try (TopologyHarness h =
        new TopologyHarness(
            rule, dir, deserializer, clock, metrics.metrics, fromMicros, toMicros)) {
      if (runs == null) {
        input.forEach(v -> revisions.addAll(h.sendBytes(v)));
        piped = input.size();
      } else {
        TopologyHarness.Folded f =
            h.sendFolded(
                input, new QuietRunFolder(deserializer, new Rule(rule), runs), random, 1500);
        revisions.addAll(f.revisions());
        piped = f.piped();
      }
      revisions.addAll(h.flush());
      for (TestRecord<byte[], byte[]> d : h.deadLetters.readRecordsToList()) {
        StringBuilder s = new StringBuilder(new String(d.value(), StandardCharsets.UTF_8));
        for (Header header : d.headers()) {
          if (header.key().startsWith(DeadLetters.HEADER_PREFIX + "error.")) {
            s.append(" | ").append(header.key()).append('=');
            s.append(new String(header.value(), StandardCharsets.UTF_8));
          }
        }
        deadLetters.add(s.toString());
      }
    }
    Function<JsonNode, String> text = JsonNode::toString;
    return new Output(revisions.stream().map(text).toList(), deadLetters, metrics.counts, piped);
  }

  private static void assertSame(Output plain, Output folded, int records) {
    assertEquals(plain.revisions, folded.revisions, "revisions");
    assertEquals(plain.deadLetters, folded.deadLetters, "dead letters");
    assertEquals(plain.metrics, folded.metrics, "metrics");
    assertTrue(!plain.deadLetters.isEmpty(), "dead letters among the records");
    assertTrue(
        folded.piped < records * 0.8,
        "records reaching the topology: " + folded.piped + " of " + records);
    System.out.printf(
        "%d records, %d reached the topology folded; %d revisions, %d dead letters; %s%n",
        records, folded.piped, plain.revisions.size(), plain.deadLetters.size(), plain.metrics);
  }

  /**
   * Every count the detector keeps, by the {@link DetectorMetrics} method's name and its text or
   * flag argument (not alert's times, which differ from run to run), so that a count added to the
   * interface is compared too.
   */
  private static final class CountingMetrics {
    final Map<String, Long> counts = new TreeMap<>();
    final DetectorMetrics metrics =
        (DetectorMetrics)
            Proxy.newProxyInstance(
                DetectorMetrics.class.getClassLoader(),
                new Class<?>[] {DetectorMetrics.class},
                (proxy, method, args) -> {
                  if (method.getDeclaringClass() == Object.class) {
                    return method.getName().equals("equals")
                        ? proxy == args[0]
                        : method.getName().equals("hashCode")
                            ? System.identityHashCode(proxy)
                            : "CountingMetrics";
                  }
                  StringBuilder name = new StringBuilder(method.getName());
                  for (Object a : args == null ? new Object[0] : args) {
                    if (a instanceof String || a instanceof Boolean) {
                      name.append(' ').append(a);
                    }
                  }
                  counts.merge(name.toString(), 1L, Long::sum);
                  return null;
                });
  }
}
