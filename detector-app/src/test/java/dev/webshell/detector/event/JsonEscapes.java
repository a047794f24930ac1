package dev.webshell.detector.event;

import java.util.List;

/** JSON escapes for the scanners' tests. */
final class JsonEscapes {
  private JsonEscapes() {}

  /**
   * Every kind of escape JSON allows: the one-character ones, and {@code \\u} in either case,
   * paired, unpaired or NUL.
   */
  static final List<String> VALID =
      List.of(
          "\\\"",
          "\\\\",
          "\\/",
          "\\b",
          "\\f",
          "\\n",
          "\\r",
          "\\t",
          "\\u0041",
          "\\u00e9",
          "\\u00E9",
          "\\uABCD",
          "\\uabcd",
          "\\uD83D\\uDE00",
          "\\ud800",
          "\\u0000");
}
