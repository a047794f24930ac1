package dev.webshell.detector.topology;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counters of what a differential run exercised, so that a change of the generator (or of the
 * detector) cannot silently stop covering a path: tests assert a floor on each.
 */
final class Coverage {
  /** The counters in the order they are printed. */
  private static final List<String> ALL = new ArrayList<>();

  static final String REVISIONS = counter("revisions compared");
  static final String CLOSED = counter("closing revisions compared");
  static final String EXACT = counter("revisions compared: EXACT");
  static final String FOLDED =
      counter("revisions compared: FOLDED (a line past maxExact, counts exact)");
  static final String OVERFLOWED = counter("revisions compared: OVERFLOWED (untracked lines)");
  static final String APPROXIMATE = counter("revisions compared: APPROXIMATE (a bucket straddles)");
  static final String APPROXIMATE_ABOVE = counter("  of which matchCount above the exact figure");
  static final String APPROXIMATE_EVIDENCE_OUTSIDE =
      counter("  of which evidence dated at or before windowStart");
  static final String SETS_LOST =
      counter("revisions with folded lines whose value sets lost values");
  static final String CUT = counter("revisions with commandLinesCut");
  static final String CUT_TWINS = counter("revisions listing two lines equal after the cut");
  static final String TRUNCATED = counter("revisions truncated");
  static final String AHEAD_REVISIONS = counter("revisions aheadOfClock");
  static final String NON_ASCII = counter("events with non-ASCII command lines");
  static final String NON_ASCII_MATCHES = counter("matches with non-ASCII command lines");
  static final String UPPER_MATCHES = counter("matches with upper-case command lines");
  static final String MATCHES = counter("matches");
  static final String LONG_MATCHES = counter("matches longer than maxCommandLineLength");
  static final String AFTER_CUT = counter("matches by a token after the cut");
  static final String HARDENED_ONLY = counter("matches of the hardened profile only");
  static final String AHEAD = counter("matches dated ahead of the clock");
  static final String DROPPED = counter("matches dropped: not after stream time - 7d");
  static final String ON_STREAM_TIME = counter("matches exactly on stream time - 7d");
  static final String LATE = counter("matches late for the device: not after T - 7d");
  static final String ON_T = counter("matches exactly on T - 7d");
  static final String INSIDE_T = counter("matches exactly on T - 7d + 1us");
  static final String REOPEN = counter("matches exactly on T + 7d (a new alert)");
  static final String UNTRACKED = counter("matches left untracked (maxTrackedCommandLines)");

  private final Map<String, Long> counts = new LinkedHashMap<>();

  Coverage() {
    ALL.forEach(c -> counts.put(c, 0L));
  }

  private static String counter(String name) {
    ALL.add(name);
    return name;
  }

  void count(String counter, boolean when) {
    if (!counts.containsKey(counter)) {
      throw new IllegalArgumentException("no counter " + counter);
    }
    if (when) {
      counts.merge(counter, 1L, Long::sum);
    }
  }

  long get(String counter) {
    return counts.get(counter);
  }

  synchronized void addAll(Coverage other) {
    other.counts.forEach((k, v) -> counts.merge(k, v, Long::sum));
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    counts.forEach((k, v) -> b.append(String.format("  %-66s %7d%n", k, v)));
    return b.toString();
  }
}
