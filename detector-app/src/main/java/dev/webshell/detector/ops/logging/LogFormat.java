package dev.webshell.detector.ops.logging;

import java.util.Locale;

/**
 * How log lines look on stderr: {@link #HUMAN} (the default) or {@link #JSON} (one JSON object per
 * line, for log collectors). {@link Logging#useFormat} switches between them.
 */
public enum LogFormat {
  HUMAN,
  JSON;

  /** {@code human} or {@code json}, any case. */
  public static LogFormat parse(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "human", "text" -> HUMAN;
      case "json" -> JSON;
      default -> throw new IllegalArgumentException("--log-format must be human or json");
    };
  }
}
