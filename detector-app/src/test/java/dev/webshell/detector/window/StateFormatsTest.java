package dev.webshell.detector.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/**
 * The bytes the detector keeps in its stores, changelogs and repartition topic, pinned by fixtures
 * under {@code src/test/resources/state-formats/}. docs/operations.md promises rolling upgrades and
 * rollback: a new version of the code must read what the old one wrote. A format change therefore
 * gets a new version byte and a new fixture; the old fixtures stay and must still be read.
 */
class StateFormatsTest {
  static final long SECOND = 1_000_000L;
  static final long HOUR = 3600 * SECOND;
  static final long DAY = 24 * HOUR;
  static final long T0 = 1_793_000_000L * SECOND;

  static byte[] fixture(String name) {
    try (InputStream in = StateFormatsTest.class.getResourceAsStream("/state-formats/" + name)) {
      if (in == null) {
        throw new AssertionError("missing fixture state-formats/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Match match(long ts, String line, boolean cut, String ipParent, Long reportId) {
    return new Match(
        ts,
        "dev-7",
        "web07.contoso.com",
        "cmd.exe",
        line,
        Match.hash64(line + (cut ? "…cut" : "")),
        cut,
        "w3wp.exe",
        ipParent,
        reportId,
        reportId == null ? null : reportId + 1,
        "iis apppool\\défaut",
        T0 / 1000);
  }

  /**
   * A window that uses every part of the format: exact events and hourly buckets (two exact events
   * per line), a bucket cut by the window start (partial), a cut line, null fields, an overflow of
   * the tracked lines, and emitted hashes.
   */
  static DeviceWindow representativeWindow() {
    DeviceWindow w = new DeviceWindow();
    int maxExact = 2;
    int maxLines = 3;
    long lookback = 7 * DAY;
    String id = "fa2f7d8a-6726-465a-aa72-6f6e3d4c99d7";
    w.add(match(T0, "cmd /c whoami", false, null, 11L), id, lookback, maxExact, maxLines);
    for (int i = 1; i <= 8; i++) {
      w.add(
          match(T0 + i * 20 * 60 * SECOND, "cmd /c ping 10.0.0.1", false, "svchost.exe", null),
          id,
          lookback,
          maxExact,
          maxLines);
    }
    w.add(
        match(T0 + 2 * HOUR, "cmd /c certutil ✓ …", true, null, 12L),
        id,
        lookback,
        maxExact,
        maxLines);
    w.add(
        match(T0 + 3 * HOUR, "cmd /c ipconfig", false, null, 13L),
        id,
        lookback,
        maxExact,
        maxLines);
    // seven days after the first ping: the window start cuts the ping bucket
    w.add(
        match(T0 + lookback + 50 * 60 * SECOND, "cmd /c ping 10.0.0.1", false, null, 14L),
        id,
        lookback,
        maxExact,
        maxLines);
    return w;
  }

  static Match representativeMatch() {
    return match(T0 + 17, "C:\\Windows\\system32\\cmd.exe /c \"whoami /all\" ☃", true, null, 42L);
  }

  @Test
  void shouldReadAndRewriteTheVersion1DeviceWindowUnchanged() {
    byte[] v1 = fixture("device-window-v1.bin");
    assertArrayEquals(v1, DeviceWindowSerde.write(DeviceWindowSerde.read(v1)));
  }

  @Test
  void shouldWriteTheVersion1DeviceWindowBytesForTheRepresentativeWindow() {
    assertArrayEquals(
        fixture("device-window-v1.bin"), DeviceWindowSerde.write(representativeWindow()));
  }

  @Test
  void shouldUseEveryPartOfTheWindowFormatInTheFixture() {
    DeviceWindow w = DeviceWindowSerde.read(fixture("device-window-v1.bin"));
    assertTrue(w.overflowed(), "a line beyond the tracked ones");
    assertFalse(w.countsExact(), "a bucket cut by the window start");
    assertTrue(w.lines.stream().anyMatch(l -> l.cut), "a cut line");
    assertTrue(w.lines.stream().anyMatch(l -> l.buckets.size() > 1), "several buckets");
    assertTrue(w.lines.stream().anyMatch(l -> l.exact.size() == 2), "exact events");
    assertTrue(w.lastEmitted.length > 0, "emitted hashes");
    assertTrue(
        w.knownEvents().stream().anyMatch(e -> e.reportId == null && e.processId == null),
        "null fields");
  }

  @Test
  void shouldReadAndRewriteTheVersion1MatchUnchanged() {
    byte[] v1 = fixture("match-v1.bin");
    assertEquals(representativeMatch(), MatchSerde.read(v1));
    assertArrayEquals(v1, MatchSerde.write(MatchSerde.read(v1)));
  }

  @Test
  void shouldKeepTheStreamTimeAsAnEightByteBigEndianLongUnderKeyT() {
    byte[] v1 = fixture("stream-time-v1.bin");
    assertEquals(T0 + 3 * DAY, Serdes.Long().deserializer().deserialize("t", v1));
    assertArrayEquals(v1, Serdes.Long().serializer().serialize("t", T0 + 3 * DAY));
    assertArrayEquals(new byte[] {'t'}, Serdes.String().serializer().serialize("k", "t"));
  }
}
