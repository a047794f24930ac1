package dev.webshell.detector.notify.destination;

import java.util.List;

/** Cutting text to the limits the services publish, saying so when something was cut. */
final class Texts {
  static final String ELLIPSIS = "…";

  private Texts() {}

  /** At most {@code max} characters (UTF-16 units, as the services count), ending in … if cut. */
  static String cut(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    int end = max - ELLIPSIS.length();
    if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, Math.max(0, end)) + ELLIPSIS;
  }

  /**
   * The lines, one per line, each cut to {@code maxLine}, as many as fit in {@code budget}
   * characters; when some are left out, a last line says how many of {@code total}.
   */
  static String lines(List<String> lines, int total, int maxLine, int budget) {
    StringBuilder b = new StringBuilder();
    int shown = 0;
    for (String line : lines) {
      String l = cut(line, maxLine);
      String tail = "… and " + (total - shown) + " more";
      if (b.length() + l.length() + 1 + tail.length() + 1 > budget) {
        break;
      }
      b.append(l).append('\n');
      shown++;
    }
    if (shown < total) {
      b.append("… and ").append(total - shown).append(" more");
    } else if (b.length() > 0) {
      b.setLength(b.length() - 1);
    }
    return b.toString();
  }
}
