package dev.webshell.detector.event;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** Event time: microseconds since the epoch, UTC. */
public final class Timestamps {
  private static final DateTimeFormatter OUT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  /**
   * Parses ISO-8601 with a zone ({@code Z} or {@code +hh:mm}), any number of fractional digits up
   * to nine (Defender writes seven: {@code 2021-04-14T18:49:17.7849324Z}). Digits finer than a
   * microsecond are cut, never rounded.
   */
  public static long parseMicros(String text) {
    if (text == null || text.isEmpty()) {
      throw new DecodeException("bad-timestamp", "Timestamp is empty");
    }
    try {
      OffsetDateTime t = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
      return toMicros(t.toInstant());
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new DecodeException(
          "bad-timestamp", "Timestamp is not ISO-8601 with a zone: '" + abbreviate(text, 64) + "'");
    }
  }

  public static long toMicros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000L);
  }

  public static Instant toInstant(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  /** ISO-8601 UTC with exactly six fractional digits: {@code 2021-04-14T18:49:17.784932Z}. */
  public static String format(long micros) {
    return OUT.format(toInstant(micros));
  }

  public static String format(Instant instant) {
    return OUT.format(instant);
  }

  static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }
}
