package dev.webshell.detector.event;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;

/** The values of Windows event records, as SPEC 6.4 reads them: paths, accounts, ids, times. */
final class WindowsValues {
  private static final DateTimeFormatter UTC_TIME =
      new DateTimeFormatterBuilder()
          .appendPattern("uuuu-MM-dd HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .toFormatter()
          .withResolverStyle(ResolverStyle.STRICT);

  private WindowsValues() {}

  static String lastPathElement(String path) {
    if (path == null) {
      return null;
    }
    int cut = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
    return path.substring(cut + 1);
  }

  /** {@code DOMAIN\name} → {@code name}; a value without a backslash is the name itself. */
  static String accountName(String user) {
    if (user == null) {
      return null;
    }
    int cut = user.indexOf('\\');
    return user.substring(cut + 1);
  }

  /** A process id: a JSON number or decimal text, or hexadecimal text with {@code 0x}. */
  static Long processId(String text, String field) {
    if (text == null) {
      return null;
    }
    long plain = plainDigits(text);
    if (plain >= 0) {
      return plain;
    }
    String s = text.trim();
    if (s.isEmpty()) {
      return null;
    }
    try {
      if (s.startsWith("0x") || s.startsWith("0X")) {
        return Long.parseLong(s.substring(2), 16);
      }
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new DecodeException(
          "bad-field", field + " is not a process id: '" + Timestamps.abbreviate(s, 64) + "'");
    }
  }

  static Long optionalLong(String text) {
    if (text == null) {
      return null;
    }
    long plain = plainDigits(text);
    if (plain >= 0) {
      return plain;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The value of {@code s} when it is one to eighteen ASCII digits, the common case, which the
   * parsers below read without their trim; otherwise -1.
   */
  private static long plainDigits(String s) {
    int n = s.length();
    if (n == 0 || n > 18) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  static Integer eventId(String text) {
    if (text == null) {
      return null;
    }
    long plain = text.length() <= 9 ? plainDigits(text) : -1;
    if (plain >= 0) {
      return (int) plain;
    }
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Sysmon's {@code 2021-03-03 05:10:11.123} (UTC), or ISO-8601 with a zone. */
  static long utcTime(String text) {
    String s = text.trim();
    if (s.indexOf('T') >= 0) {
      return isoTime(s, "UtcTime");
    }
    long fast = Timestamps.fixedWidth(s, ' ', false);
    if (fast != Timestamps.NOT_FIXED) {
      return fast;
    }
    try {
      return Timestamps.toMicros(LocalDateTime.parse(s, UTC_TIME).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new DecodeException(
          "bad-timestamp",
          "UtcTime is not 'YYYY-MM-DD HH:MM:SS.fff': '" + Timestamps.abbreviate(s, 64) + "'");
    }
  }

  /** ISO-8601 with a zone, or a JSON number of milliseconds since the epoch. */
  static long isoTime(String text, String field) {
    String s = text.trim();
    if (!s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        return Math.multiplyExact(Long.parseLong(s), 1000L);
      } catch (NumberFormatException | ArithmeticException e) {
        // falls through to the error below
      }
    }
    try {
      return Timestamps.parseMicros(s);
    } catch (DecodeException e) {
      throw new DecodeException(
          "bad-timestamp",
          field + " is not ISO-8601 with a zone: '" + Timestamps.abbreviate(s, 64) + "'");
    }
  }

  static String asciiLower(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        if (b == null) {
          b = new StringBuilder(s);
        }
        b.setCharAt(i, (char) (c + ('a' - 'A')));
      }
    }
    return b == null ? s : b.toString();
  }
}
