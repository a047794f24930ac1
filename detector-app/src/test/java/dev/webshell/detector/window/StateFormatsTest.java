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
    return match(ts, line, cut, ipParent, reportId, ts, false);
  }

  static Match match(
      long ts,
      String line,
      boolean cut,
      String ipParent,
      Long reportId,
      long streamTime,
      boolean ahead) {
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
        T0 / 1000,
        streamTime,
        ahead);
  }

  /**
   * A window that uses every part of the format: exact events and hourly buckets (two exact events
   * per line), a bucket cut by the window start (partial), a cut line, null fields, an overflow of
   * the tracked lines, and emitted hashes.
   */
  static DeviceWindow representativeWindow() {
    return representativeWindow(false);
  }

  /** With {@code aheadMatch}, one more match, dated ahead of the detector's clock (version 2). */
  static DeviceWindow representativeWindow(boolean aheadMatch) {
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
    if (aheadMatch) {
      long ts = T0 + lookback + HOUR;
      w.add(
          match(ts, "cmd /c whoami", false, null, 15L, ts - 3 * HOUR, true),
          id,
          lookback,
          maxExact,
          maxLines);
    }
    return w;
  }

  static Match representativeMatch() {
    return representativeMatch(T0 + 17, false);
  }

  static Match representativeMatch(long streamTime, boolean ahead) {
    return match(
        T0 + 17,
        "C:\\Windows\\system32\\cmd.exe /c \"whoami /all\" ☃",
        true,
        null,
        42L,
        streamTime,
        ahead);
  }

  @Test
  void shouldReadTheVersion1DeviceWindowAsTheWindowItWasWrittenFrom() {
    DeviceWindow v1 = DeviceWindowSerde.read(fixture("device-window-v1.bin"));
    assertArrayEquals(DeviceWindowSerde.write(representativeWindow()), DeviceWindowSerde.write(v1));
    assertFalse(v1.aheadOfClock(Long.MIN_VALUE), "version 1 knew no ahead-of-clock matches");
  }

  @Test
  void shouldReadTheVersion2DeviceWindowAsTheWindowItWasWrittenFrom() {
    DeviceWindow v2 = DeviceWindowSerde.read(fixture("device-window-v2.bin"));
    assertArrayEquals(
        DeviceWindowSerde.write(representativeWindow(true)), DeviceWindowSerde.write(v2));
  }

  @Test
  void shouldReadAndRewriteTheVersion3DeviceWindowUnchanged() {
    byte[] v3 = fixture("device-window-v3.bin");
    assertArrayEquals(v3, DeviceWindowSerde.write(DeviceWindowSerde.read(v3)));
  }

  @Test
  void shouldWriteTheVersion3DeviceWindowBytesForTheRepresentativeWindow() {
    assertArrayEquals(
        fixture("device-window-v3.bin"), DeviceWindowSerde.write(representativeWindow(true)));
  }

  @Test
  void shouldUseEveryPartOfTheWindowFormatInTheFixtures() {
    for (String name :
        new String[] {"device-window-v1.bin", "device-window-v2.bin", "device-window-v3.bin"}) {
      DeviceWindow w = DeviceWindowSerde.read(fixture(name));
      assertTrue(w.overflowed(), name + ": a line beyond the tracked ones");
      assertFalse(w.countsExact(), name + ": a bucket cut by the window start");
      assertTrue(w.lines.stream().anyMatch(l -> l.cut), name + ": a cut line");
      assertTrue(w.lines.stream().anyMatch(l -> l.buckets.size() > 1), name + ": buckets");
      assertTrue(w.lines.stream().anyMatch(l -> l.exact.size() == 2), name + ": exact events");
      assertTrue(w.lastEmitted.length > 0, name + ": emitted hashes");
      assertTrue(
          w.knownEvents(Long.MIN_VALUE).stream()
              .anyMatch(e -> e.reportId == null && e.processId == null),
          name + ": null fields");
    }
    DeviceWindow v2 = DeviceWindowSerde.read(fixture("device-window-v2.bin"));
    assertTrue(v2.aheadOfClock(v2.windowStart(7 * DAY)), "an ahead-of-clock match");
  }

  @Test
  void shouldReadTheVersion1MatchWithItsEventTimeAsStreamTime() {
    assertEquals(representativeMatch(), WindowInputSerde.read(fixture("match-v1.bin")));
  }

  @Test
  void shouldReadAndRewriteTheVersion2MatchUnchanged() {
    byte[] v2 = fixture("match-v2.bin");
    assertEquals(representativeMatch(T0 - DAY, true), WindowInputSerde.read(v2));
    assertArrayEquals(v2, WindowInputSerde.write(WindowInputSerde.read(v2)));
  }

  @Test
  void shouldReadAndRewriteTheVersion2ProgressUnchanged() {
    byte[] v2 = fixture("progress-v2.bin");
    assertEquals(new Progress(T0 + 5 * DAY), WindowInputSerde.read(v2));
    assertArrayEquals(v2, WindowInputSerde.write(new Progress(T0 + 5 * DAY)));
  }

  @Test
  void shouldKeepTheClosingScheduleKeyedByCloseTimeThenDeviceId() {
    byte[] key = fixture("closing-key-v1.bin");
    assertArrayEquals(key, ClosingSchedule.key(T0 + 7 * DAY, "dev-7").get());
    assertEquals(
        new ClosingSchedule.Due(T0 + 7 * DAY, "dev-7"),
        ClosingSchedule.parse(org.apache.kafka.common.utils.Bytes.wrap(key)));
    // the store's byte order is the numeric order of close times, negative ones included
    assertTrue(
        java.util.Arrays.compareUnsigned(
                ClosingSchedule.key(-5, "b").get(), ClosingSchedule.key(3, "a").get())
            < 0);
  }

  @Test
  void shouldKeepTheStreamTimeAsAnEightByteBigEndianLongUnderKeyT() {
    byte[] v1 = fixture("stream-time-v1.bin");
    assertEquals(T0 + 3 * DAY, Serdes.Long().deserializer().deserialize("t", v1));
    assertArrayEquals(v1, Serdes.Long().serializer().serialize("t", T0 + 3 * DAY));
    assertArrayEquals(new byte[] {'t'}, Serdes.String().serializer().serialize("k", "t"));
  }
}
