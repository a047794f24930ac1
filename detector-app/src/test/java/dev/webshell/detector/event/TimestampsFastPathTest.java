package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fixed-width timestamp reader against {@code java.time}'s formatters, which read every
 * timestamp before it: Defender's ISO-8601 Timestamp and Sysmon's UtcTime, valid, nearly valid and
 * broken, give the same microseconds or the same dead-letter reason and message.
 */
class TimestampsFastPathTest {
  private static final DateTimeFormatter SYSMON =
      new DateTimeFormatterBuilder()
          .appendPattern("uuuu-MM-dd HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .toFormatter()
          .withResolverStyle(ResolverStyle.STRICT);

  /** What parseMicros answered before the fixed-width reader. */
  private static String isoReference(String text) {
    if (text.isEmpty()) {
      return "bad-timestamp: Timestamp is empty";
    }
    try {
      return Long.toString(
          Timestamps.toMicros(
              OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant()));
    } catch (DateTimeParseException | ArithmeticException e) {
      return "bad-timestamp: Timestamp is not ISO-8601 with a zone: '"
          + Timestamps.abbreviate(text, 64)
          + "'";
    }
  }

  /** What WindowsValues.utcTime answered before the fixed-width reader, for text without a T. */
  private static String sysmonReference(String text) {
    String s = text.trim();
    try {
      return Long.toString(
          Timestamps.toMicros(LocalDateTime.parse(s, SYSMON).toInstant(ZoneOffset.UTC)));
    } catch (DateTimeParseException | ArithmeticException e) {
      return "bad-timestamp: UtcTime is not 'YYYY-MM-DD HH:MM:SS.fff': '"
          + Timestamps.abbreviate(s, 64)
          + "'";
    }
  }

  private static String iso(String text) {
    try {
      return Long.toString(Timestamps.parseMicros(text));
    } catch (DecodeException e) {
      return e.reason() + ": " + e.getMessage();
    }
  }

  private static String sysmon(String text) {
    try {
      return Long.toString(WindowsValues.utcTime(text));
    } catch (DecodeException e) {
      return e.reason() + ": " + e.getMessage();
    }
  }

  private static final String ALPHABET = "0123456789-:. TZtz+x\u0660\uff10";

  /** A timestamp of the common shape, then up to two characters changed, dropped or added. */
  private static String mutated(Random r, char sep, boolean zulu) {
    StringBuilder b =
        new StringBuilder(
            String.format(
                "%04d-%02d-%02d%c%02d:%02d:%02d",
                r.nextInt(3) == 0 ? r.nextInt(10_000) : 1990 + r.nextInt(60),
                r.nextInt(14),
                r.nextInt(33),
                sep,
                r.nextInt(26),
                r.nextInt(62),
                r.nextInt(62)));
    int digits = r.nextInt(11);
    if (digits < 10) {
      b.append('.');
      for (int i = 0; i < digits; i++) {
        b.append((char) ('0' + r.nextInt(10)));
      }
    }
    if (zulu) {
      b.append(r.nextInt(4) == 0 ? "+00:00" : "Z");
    }
    int edits = r.nextInt(4) == 0 ? 1 + r.nextInt(2) : 0;
    for (int k = 0; k < edits && b.length() > 0; k++) {
      int at = r.nextInt(b.length());
      char c = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
      switch (r.nextInt(3)) {
        case 0 -> b.setCharAt(at, c);
        case 1 -> b.deleteCharAt(at);
        default -> b.insert(at, c);
      }
    }
    return b.toString();
  }

  @Test
  void shouldReadEveryIsoTimestampAsJavaTimeDoes() {
    Random r = new Random(18);
    int valid = 0;
    int fast = 0;
    for (int i = 0; i < 200_000; i++) {
      String s = mutated(r, 'T', true);
      String expected = isoReference(s);
      assertEquals(expected, iso(s), s);
      if (!expected.startsWith("bad")) {
        valid++;
      }
      if (Timestamps.fixedWidth(s, 'T', true) != Timestamps.NOT_FIXED) {
        fast++;
      }
    }
    assertTrue(valid > 50_000, "valid " + valid);
    assertTrue(fast > 50_000, "read by the fixed-width reader " + fast);
    assertTrue(valid - fast > 5_000, "valid but left to java.time " + (valid - fast));
  }

  @Test
  void shouldReadEverySysmonUtcTimeAsJavaTimeDoes() {
    Random r = new Random(1818);
    int valid = 0;
    for (int i = 0; i < 200_000; i++) {
      String s = mutated(r, ' ', false);
      if (s.trim().indexOf('T') >= 0) {
        continue; // read as ISO-8601, tested above
      }
      String expected = sysmonReference(s);
      assertEquals(expected, sysmon(s), s);
      if (!expected.startsWith("bad")) {
        valid++;
      }
    }
    assertTrue(valid > 50_000, "valid " + valid);
  }

  @Test
  void shouldReadTheEdgesOfTheCalendar() {
    for (String s :
        new String[] {
          "0000-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999999999Z",
          "2024-02-29T12:00:00Z",
          "2023-02-29T12:00:00Z",
          "1900-02-29T00:00:00Z",
          "2000-02-29T00:00:00Z",
          "2021-04-31T00:00:00Z",
          "2021-04-14T24:00:00Z",
          "2021-04-14T23:59:60Z",
          "2021-04-14T18:49:17.Z",
          "2021-04-14T18:49:17.7849324Z",
          "2021-04-14t18:49:17.7849324z",
          "2021-04-14T18:49Z",
          "+2021-04-14T18:49:17Z",
          "1969-12-31T23:59:59.9999999Z"
        }) {
      assertEquals(isoReference(s), iso(s), s);
      String sys = s.replace('T', ' ').replace("Z", "");
      if (sys.indexOf('T') < 0) {
        assertEquals(sysmonReference(sys), sysmon(sys), sys);
      }
    }
  }
}
