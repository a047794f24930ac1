package dev.webshell.detector.hunt;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The hunt's time arguments: instants ({@code --from}, {@code --to}) and durations. */
public final class TimeSpecs {
  private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");
  private static final Pattern RELATIVE = Pattern.compile("now-(.+)");

  private TimeSpecs() {}

  /**
   * {@code 2021-04-14T18:49:17.7849324Z}, {@code 2021-04-14} (midnight UTC), {@code now} or {@code
   * now-30d}.
   */
  public static Instant instant(String text, Instant now) {
    String t = text.trim();
    if (t.equalsIgnoreCase("now")) {
      return now;
    }
    Matcher rel = RELATIVE.matcher(t.toLowerCase(Locale.ROOT));
    if (rel.matches()) {
      return now.minus(duration(rel.group(1)));
    }
    try {
      if (t.length() == 10) {
        return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a time: use 2021-04-14T18:49:17Z, 2021-04-14 (UTC), now or now-30d");
    }
  }

  /** {@code 90s}, {@code 15m}, {@code 1h}, {@code 2d}, {@code 1w}, {@code 0} or ISO-8601 PT1H. */
  public static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = SHORT.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      };
    }
    try {
      return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration: use 90s, 15m, 1h, 2d, 1w, 0 or PT1H");
    }
  }

  /** A duration as the options take it: {@code 90s}, {@code 15m}, {@code 1h}, {@code 2d}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0";
    }
    long s = d.getSeconds();
    if (d.getNano() != 0) {
      return d.toMillis() + "ms";
    }
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
