package dev.webshell.detector.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.event.AvroEventDecoder;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.registry.MockSchemaRegistryClient;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.detector.rule.RuleSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One seed of {@link DifferentialTest}'s wide runs: its setup (profile and caps), the generated
 * stream with the reference's steps, the detector fed that stream in any input format, and the
 * comparison of the two, counting what it covered.
 */
final class DifferentialRun {
  /** The rule, its bounds and the stream's length of one seed. */
  record Setup(
      String profile,
      int maxCommandLines,
      int maxCommandLineLength,
      int maxExactEventsPerCommandLine,
      int maxTrackedCommandLines,
      int events) {}

  static Setup setup(long seed) {
    return switch ((int) seed) {
      // the defaults: floods past 64 events of a line, lines past 32 KiB
      case 101 -> new Setup("kql", 128, 32_768, 64, 4_096, 1_600);
      case 102 -> new Setup("hardened", 128, 32_768, 64, 4_096, 1_600);
      // small caps: truncation, untracked lines, many folds and cut lines per run
      case 103 -> new Setup("kql", 2, 40, 3, 3, 1_500);
      case 104 -> new Setup("hardened", 3, 48, 4, 5, 1_500);
      case 105 -> new Setup("hardened", 6, 32_768, 64, 6, 1_500);
      case 106 -> new Setup("kql", 4, 64, 8, 4_096, 1_500);
      // the input formats: Avro and Streaming API envelopes next to flat JSON
      case 201 -> new Setup("hardened", 3, 40, 64, 5, 1_000);
      case 202 -> new Setup("kql", 128, 32_768, 16, 4_096, 1_000);
      default -> throw new IllegalArgumentException("no setup for seed " + seed);
    };
  }

  final long seed;
  final Setup setup;
  final RuleSpec rule;
  final DetectorClock clock;
  final DifferentialStream stream;
  final ReferenceRule kql = ReferenceRule.kql();
  final ReferenceRule referenceRule;

  private DifferentialRun(long seed, Setup setup) {
    this.seed = seed;
    this.setup = setup;
    RuleSpec base =
        "kql".equals(setup.profile()) ? RuleSpec.seed() : RuleFiles.builtIn(setup.profile());
    this.rule = withCaps(base, setup);
    this.referenceRule = "kql".equals(setup.profile()) ? kql : ReferenceRule.hardened();
    Instant clockNow =
        Ev.T0.plus(Duration.ofNanos(DifferentialStream.expectedSpan(setup.events()) * 1000));
    Duration tolerance = Duration.ofMinutes(seed % 2 == 0 ? 15 : 0);
    this.clock = DetectorClock.fixedAt(clockNow, tolerance);
    long lookback = rule.lookbackMicros();
    long clockLimit = Timestamps.toMicros(clockNow.plus(tolerance));
    ReferenceDetector reference =
        new ReferenceDetector(
            referenceRule,
            new ReferenceDetector.Bounds(
                lookback,
                setup.maxCommandLines(),
                setup.maxCommandLineLength(),
                setup.maxExactEventsPerCommandLine(),
                setup.maxTrackedCommandLines()),
            clockLimit);
    int flood = setup.maxExactEventsPerCommandLine() * 3 + 10;
    this.stream =
        new DifferentialStream(
                seed, reference, clockLimit, lookback, setup.maxCommandLineLength(), flood)
            .generate(setup.events());
  }

  static DifferentialRun of(long seed) {
    return new DifferentialRun(seed, setup(seed));
  }

  /** The input formats of SPEC 6 the stream is written in. */
  enum Input {
    FLAT_JSON,
    AVRO,
    STREAMING_API
  }

  /** The stream through the production topology, written in one of the input formats. */
  List<JsonNode> detect(Path stateDir, Input format) {
    List<Ev> events = stream.events();
    String scope = "differential-" + seed;
    SchemaRegistryClient registry =
        SchemaRegistryClients.create(RegistryConfig.of("mock://" + scope));
    List<JsonNode> out = new ArrayList<>();
    try (TopologyHarness h =
        new TopologyHarness(
            rule,
            stateDir,
            new InputDeserializer(
                InputFormat.AUTO,
                new AvroEventDecoder(registry, new Rule(rule)::mayBeShell),
                new Rule(rule)),
            clock)) {
      if (format == Input.FLAT_JSON) {
        events.forEach(e -> out.addAll(h.send(e)));
      } else if (format == Input.AVRO) {
        InputEncodings.avro(events, registry).forEach(b -> out.addAll(h.sendBytes(b)));
      } else {
        List<InputEncodings.Envelope> messages = InputEncodings.envelopes(events, seed);
        messages.forEach(m -> out.addAll(h.sendBytes(m.bytes())));
        long several = messages.stream().filter(m -> m.events() > 1).count();
        long foreign = messages.stream().mapToInt(InputEncodings.Envelope::foreign).sum();
        System.out.printf(
            "seed %d: %d Streaming API messages, %d with several events, %d records of other"
                + " categories%n",
            seed, messages.size(), several, foreign);
        assertTrue(several > 0 && foreign > 0, "envelopes of several events and other records");
      }
      out.addAll(h.flush());
      assertTrue(h.deadLetters.isEmpty(), "no dead letters");
    } finally {
      MockSchemaRegistryClient.dropScope(scope);
    }
    return out;
  }

  /** Every revision against the reference's; returns what the run covered. */
  Coverage compare(List<JsonNode> actual, String input) {
    Coverage c = new Coverage();
    List<Ev> events = stream.events();
    List<ReferenceDetector.Step> steps = stream.steps();
    int revision = 0;
    for (int i = 0; i < steps.size(); i++) {
      ReferenceDetector.Step s = steps.get(i);
      count(c, events.get(i), s);
      List<ReferenceDetector.Step> expected = new ArrayList<>(s.closes);
      if (s.revision != null) {
        expected.add(s);
      }
      for (ReferenceDetector.Step e : expected) {
        check(c, actual, revision++, e, "seed " + seed + " " + input + " (event #" + i + ")");
      }
    }
    for (ReferenceDetector.Step e : stream.finalCloses()) {
      check(c, actual, revision++, e, "seed " + seed + " " + input + " (end of input)");
    }
    assertEquals(revision, actual.size(), "seed " + seed + " " + input + ": number of revisions");
    return c;
  }

  private static void check(
      Coverage c, List<JsonNode> actual, int revision, ReferenceDetector.Step s, String at) {
    String where = at + " revision #" + revision;
    if (revision >= actual.size()) {
      throw new AssertionError(where + ": the detector emitted only " + actual.size());
    }
    JsonNode got = actual.get(revision);
    RevisionCheck.Kind kind = RevisionCheck.check(got, s, where);
    JsonNode expected = s.revision;
    c.count(Coverage.REVISIONS, true);
    c.count(Coverage.CLOSED, "closed".equals(expected.get("status").asText()));
    c.count(Coverage.EXACT, kind == RevisionCheck.Kind.EXACT);
    c.count(Coverage.FOLDED, kind == RevisionCheck.Kind.FOLDED);
    c.count(Coverage.OVERFLOWED, kind == RevisionCheck.Kind.OVERFLOWED);
    c.count(Coverage.APPROXIMATE, kind == RevisionCheck.Kind.APPROXIMATE);
    c.count(
        Coverage.APPROXIMATE_ABOVE,
        kind == RevisionCheck.Kind.APPROXIMATE
            && got.get("matchCount").asLong() > expected.get("matchCount").asLong());
    c.count(
        Coverage.APPROXIMATE_EVIDENCE_OUTSIDE,
        kind == RevisionCheck.Kind.APPROXIMATE && evidenceBefore(got, expected));
    c.count(
        Coverage.SETS_LOST,
        kind == RevisionCheck.Kind.FOLDED && RevisionCheck.setsLostValues(got, expected));
    c.count(Coverage.CUT, expected.get("commandLinesCut").asBoolean());
    c.count(Coverage.CUT_TWINS, s.cutTwins);
    c.count(Coverage.TRUNCATED, expected.get("truncated").asBoolean());
    c.count(Coverage.AHEAD_REVISIONS, expected.get("aheadOfClock").asBoolean());
  }

  /** Evidence (the earliest event of a line) dated outside the window the alert describes. */
  private static boolean evidenceBefore(JsonNode got, JsonNode expected) {
    long windowStart = ReferenceDetector.parseMicros(expected.get("windowStart").asText());
    for (JsonNode x : got.get("evidence")) {
      if (ReferenceDetector.parseMicros(x.get("timestamp").asText()) <= windowStart) {
        return true;
      }
    }
    return false;
  }

  private void count(Coverage c, Ev e, ReferenceDetector.Step s) {
    boolean nonAscii = e.cmd != null && e.cmd.chars().anyMatch(ch -> ch > 0x7f);
    c.count(Coverage.NON_ASCII, nonAscii);
    c.count(Coverage.MATCHES, s.matched);
    if (!s.matched) {
      return;
    }
    int max = setup.maxCommandLineLength();
    c.count(Coverage.NON_ASCII_MATCHES, nonAscii);
    c.count(Coverage.UPPER_MATCHES, !e.cmd.equals(ReferenceRule.asciiLower(e.cmd)));
    c.count(Coverage.LONG_MATCHES, e.cmd.length() > max);
    c.count(
        Coverage.AFTER_CUT,
        e.cmd.length() > max && !referenceRule.command(e.cmd.substring(0, max)));
    c.count(Coverage.HARDENED_ONLY, !"kql".equals(referenceRule.profile) && !kql.matches(e));
    c.count(Coverage.AHEAD, s.ahead);
    c.count(Coverage.DROPPED, s.droppedByStreamTime);
    c.count(Coverage.ON_STREAM_TIME, s.onStreamTimeBoundary);
    c.count(Coverage.LATE, s.lateForDevice);
    c.count(Coverage.ON_T, s.onDeviceBoundary);
    c.count(Coverage.INSIDE_T, s.justInsideDeviceWindow);
    c.count(Coverage.REOPEN, s.opensExactlyOneLookbackLater);
    c.count(Coverage.UNTRACKED, s.untracked);
  }

  /** Each run: a floor on what every setup of its kind covers whatever the seed. */
  void assertCovered(Coverage c) {
    List<String> floors =
        new ArrayList<>(
            List.of(
                Coverage.REVISIONS,
                Coverage.EXACT,
                Coverage.NON_ASCII_MATCHES,
                Coverage.UPPER_MATCHES,
                Coverage.LONG_MATCHES,
                Coverage.CUT,
                Coverage.AHEAD_REVISIONS,
                Coverage.ON_T));
    if (!"kql".equals(setup.profile())) {
      floors.add(Coverage.HARDENED_ONLY);
    }
    if (setup.maxTrackedCommandLines() < 100) {
      floors.add(Coverage.OVERFLOWED);
    }
    if (setup.maxCommandLines() < 10) {
      floors.add(Coverage.TRUNCATED);
    }
    if (setup.maxTrackedCommandLines() >= 100) {
      floors.add(Coverage.FOLDED);
    }
    List<String> missing = floors.stream().filter(f -> c.get(f) == 0).toList();
    assertTrue(missing.isEmpty(), "seed " + seed + " never covered " + missing + "\n" + c);
  }

  /** The rule with every cap of the setup (withBounds leaves the line length as it is). */
  static RuleSpec withCaps(RuleSpec r, Setup s) {
    return new RuleSpec(
        r.id(),
        r.name(),
        r.version(),
        r.profile(),
        r.severity(),
        r.tactics(),
        r.techniques(),
        r.webServers(),
        r.webServerPrefixes(),
        r.conditionalWebServers(),
        r.lineageIgnoreCase(),
        r.reducePathsToFileNames(),
        r.shells(),
        r.containsTokens(),
        r.hasTokens(),
        r.hasAllTokens(),
        r.lookback(),
        s.maxCommandLines(),
        s.maxCommandLineLength(),
        s.maxExactEventsPerCommandLine(),
        s.maxTrackedCommandLines());
  }
}
