package dev.webshell.detector.event;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.Year;
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
    long fast = fixedWidth(text, 'T', true);
    if (fast != NOT_FIXED) {
      return fast;
    }
    try {
      OffsetDateTime t = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
      return toMicros(t.toInstant());
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new DecodeException(
          "bad-timestamp", "Timestamp is not ISO-8601 with a zone: '" + abbreviate(text, 64) + "'");
    }
  }

  /** {@link #fixedWidth}'s answer for text it leaves to {@code java.time}. */
  static final long NOT_FIXED = Long.MIN_VALUE;

  /**
   * The common shape, {@code uuuu-MM-dd<sep>HH:mm:ss} with one to nine fractional digits or none
   * and, when {@code zulu}, a final {@code Z}, read without {@code java.time}'s formatter (which
   * costs about as much as reading the rest of a JSON record); {@link #NOT_FIXED} for any other
   * text, valid or not, which the caller hands to the formatter. Every text it reads it reads as
   * {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} (strict) does, to the same microsecond: a field
   * out of range (hour 24, second 60, February 30) is left to the formatter, which refuses it.
   */
  static long fixedWidth(String s, char sep, boolean zulu) {
    int n = s.length();
    if (n < 19 + (zulu ? 1 : 0)
        || n > 29 + (zulu ? 1 : 0)
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != sep
        || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return NOT_FIXED;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if ((year | month | day | hour | minute | second) < 0
        || month < 1
        || month > 12
        || day < 1
        || day > Month.of(month).length(Year.isLeap(year))
        || hour > 23
        || minute > 59
        || second > 59) {
      return NOT_FIXED;
    }
    int end = zulu ? n - 1 : n;
    if (zulu && s.charAt(end) != 'Z') {
      return NOT_FIXED;
    }
    int nanos = 0;
    if (end > 19) {
      int fraction = end - 20;
      if (s.charAt(19) != '.' || fraction < 1 || fraction > 9) {
        return NOT_FIXED;
      }
      nanos = digits(s, 20, fraction);
      if (nanos < 0) {
        return NOT_FIXED;
      }
      for (int k = fraction; k < 9; k++) {
        nanos *= 10;
      }
    }
    long days = LocalDate.of(year, month, day).toEpochDay();
    long seconds = days * 86_400L + hour * 3_600L + minute * 60L + second;
    return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), nanos / 1000L);
  }

  /**
   * The decimal number of {@code s[from, from + count)}, or -1 if a character is no ASCII digit.
   */
  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
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
