package dev.webshell.detector.ops.logging;

import java.util.Locale;

/**
 * How log lines look on stderr: {@link #HUMAN} (the default) or {@link #JSON} (one JSON object per
 * line, for log collectors). Switchable at any time; every logger reads the current choice.
 */
public enum LogFormat {
  HUMAN,
  JSON;

  private static volatile LogFormat current = HUMAN;

  public static LogFormat current() {
    return current;
  }

  public static void use(LogFormat format) {
    current = format;
  }

  /** {@code human} or {@code json}, any case. */
  public static LogFormat parse(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "human", "text" -> HUMAN;
      case "json" -> JSON;
      default -> throw new IllegalArgumentException("--log-format must be human or json");
    };
  }
}
