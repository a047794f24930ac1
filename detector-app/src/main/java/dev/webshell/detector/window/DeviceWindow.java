package dev.webshell.detector.window;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * One device's matching events in the sliding event-time window, and its alert's identity: the
 * streaming form of the query's {@code summarize ... by DeviceId} (SPEC section 4).
 *
 * <p>The window content at time T (the device's newest matching Timestamp) is the matches with
 * {@code T - lookback < Timestamp <= T}. Each call to {@link #add} costs amortized O(1) in the
 * number of events: the state is bounded by the rule's caps whatever the volume. Per command line,
 * the newest {@code maxExactEventsPerCommandLine} events are kept exactly; older ones are folded
 * into hourly buckets (count, min, max, earliest event). Figures stay exact until a bucket
 * straddles the window start; then {@link #countsExact()} turns false until it leaves.
 */
public final class DeviceWindow {
  static final long HOUR_MICROS = 3_600_000_000L;
  private static final long[] NO_HASHES = new long[0];

  /** The outcome of adding one match. */
  public enum Outcome {
    /** The set of distinct command lines differs from the last emitted one: emit a revision. */
    EMIT,
    /** The window changed but the set of command lines did not. */
    UNCHANGED,
    /** Older than the device's window start: outside the content, nothing changes. */
    LATE
  }

  String alertId;
  long openedAtMicros;
  int revision;
  long windowEnd = Long.MIN_VALUE;
  long nextSeq;
  boolean overflowed;
  long contentMin = Long.MAX_VALUE;

  /** The newest Timestamp of a match dated ahead of the detector's clock, or MIN_VALUE. */
  long aheadUntil = Long.MIN_VALUE;

  long[] lastEmitted = NO_HASHES;
  final List<Line> lines = new ArrayList<>();

  /** Events of one distinct command line within the content. */
  static final class Line {
    String text;
    long hash;
    boolean cut;
    final ArrayList<Event> exact = new ArrayList<>();
    final ArrayList<Bucket> buckets = new ArrayList<>();

    long count() {
      long n = exact.size();
      for (Bucket b : buckets) {
        n += b.count;
      }
      return n;
    }

    Event first() {
      return buckets.isEmpty() ? exact.get(0) : buckets.get(0).sample;
    }

    long firstTs(long windowStart) {
      return buckets.isEmpty() ? exact.get(0).ts : Math.max(buckets.get(0).minTs, windowStart + 1);
    }

    boolean approximate() {
      return !buckets.isEmpty() && buckets.get(0).partial;
    }

    boolean isEmpty() {
      return exact.isEmpty() && buckets.isEmpty();
    }
  }

  /** The fields of one matching event that an alert reports. */
  static final class Event {
    long ts;
    long seq;
    Long reportId;
    Long processId;
    String fileName;
    String accountName;
    String ipFileName;
    String ipParentFileName;
    String deviceName;

    static Event of(Match m, long seq) {
      Event e = new Event();
      e.ts = m.timestampMicros();
      e.seq = seq;
      e.reportId = m.reportId();
      e.processId = m.processId();
      e.fileName = m.fileName();
      e.accountName = m.accountName();
      e.ipFileName = m.initiatingProcessFileName();
      e.ipParentFileName = m.initiatingProcessParentFileName();
      e.deviceName = m.deviceName();
      return e;
    }

    boolean before(Event o) {
      return ts < o.ts || (ts == o.ts && seq < o.seq);
    }
  }

  /** Events of one hour, older than a line's exact events. */
  static final class Bucket {
    long start;
    long count;
    long minTs;
    long maxTs;
    boolean partial;
    Event sample;
  }

  public boolean isEmpty() {
    return lines.isEmpty();
  }

  public String alertId() {
    return alertId;
  }

  public int revision() {
    return revision;
  }

  public long windowEnd() {
    return windowEnd;
  }

  /**
   * Adds a matching event.
   *
   * @param ruleId part of the deterministic alert id
   * @param lookbackMicros the window length
   * @param maxExactEventsPerLine per-line exact events before folding into buckets
   * @param maxTrackedLines distinct lines tracked; beyond, new lines only set {@code overflowed}
   */
  public Outcome add(
      Match m, String ruleId, long lookbackMicros, int maxExactEventsPerLine, int maxTrackedLines) {
    long ts = m.timestampMicros();
    if (!lines.isEmpty() && ts <= windowEnd - lookbackMicros) {
      return Outcome.LATE;
    }
    boolean setChanged = false;
    if (ts > windowEnd) {
      windowEnd = ts;
      setChanged = evict(windowEnd - lookbackMicros);
    }
    if (lines.isEmpty()) {
      open(m, ruleId);
      setChanged = true;
    }
    Line line = find(m);
    if (line == null) {
      if (lines.size() >= maxTrackedLines) {
        overflowed = true;
        return Outcome.UNCHANGED;
      }
      line = new Line();
      line.text = m.commandLine();
      line.hash = m.commandLineHash();
      line.cut = m.commandLineCut();
      lines.add(line);
      setChanged = true;
    }
    Event e = Event.of(m, nextSeq++);
    insert(line, e, maxExactEventsPerLine);
    contentMin = Math.min(contentMin, ts);
    if (m.aheadOfClock()) {
      aheadUntil = Math.max(aheadUntil, ts);
    }
    if (setChanged) {
      long[] now = currentHashes();
      if (!Arrays.equals(now, lastEmitted)) {
        lastEmitted = now;
        revision++;
        return Outcome.EMIT;
      }
    }
    return Outcome.UNCHANGED;
  }

  private void open(Match m, String ruleId) {
    openedAtMicros = m.timestampMicros();
    windowEnd = m.timestampMicros();
    alertId = alertId(ruleId, m.deviceId(), openedAtMicros);
    revision = 0;
    overflowed = false;
    lastEmitted = NO_HASHES;
    contentMin = Long.MAX_VALUE;
    aheadUntil = Long.MIN_VALUE;
  }

  /** Deterministic: a name-based UUID of rule id, DeviceId and the opening match's Timestamp. */
  public static String alertId(String ruleId, String deviceId, long openedAtMicros) {
    String name = ruleId + "|" + deviceId + "|" + openedAtMicros;
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private Line find(Match m) {
    for (Line l : lines) {
      if (l.hash == m.commandLineHash()
          && l.cut == m.commandLineCut()
          && l.text.equals(m.commandLine())) {
        return l;
      }
    }
    return null;
  }

  private static void insert(Line line, Event e, int maxExact) {
    ArrayList<Event> exact = line.exact;
    if (exact.size() < maxExact || !e.before(exact.get(0))) {
      int i = exact.size();
      while (i > 0 && e.before(exact.get(i - 1))) {
        i--;
      }
      exact.add(i, e);
      if (exact.size() > maxExact) {
        addToBucket(line, exact.remove(0));
      }
    } else {
      addToBucket(line, e);
    }
  }

  private static void addToBucket(Line line, Event e) {
    long start = Math.floorDiv(e.ts, HOUR_MICROS) * HOUR_MICROS;
    ArrayList<Bucket> buckets = line.buckets;
    int i = buckets.size();
    while (i > 0 && buckets.get(i - 1).start > start) {
      i--;
    }
    Bucket b;
    if (i > 0 && buckets.get(i - 1).start == start) {
      b = buckets.get(i - 1);
    } else {
      b = new Bucket();
      b.start = start;
      b.minTs = Long.MAX_VALUE;
      b.maxTs = Long.MIN_VALUE;
      buckets.add(i, b);
    }
    b.count++;
    b.minTs = Math.min(b.minTs, e.ts);
    b.maxTs = Math.max(b.maxTs, e.ts);
    if (b.sample == null || e.before(b.sample)) {
      b.sample = e;
    }
  }

  /** Drops events with {@code ts <= boundary}; true when a line left the content. */
  private boolean evict(long boundary) {
    if (boundary < contentMin) {
      return false;
    }
    boolean removed = false;
    long min = Long.MAX_VALUE;
    for (int li = lines.size() - 1; li >= 0; li--) {
      Line l = lines.get(li);
      while (!l.buckets.isEmpty()) {
        Bucket b = l.buckets.get(0);
        if (b.maxTs <= boundary) {
          l.buckets.remove(0);
        } else {
          if (b.minTs <= boundary) {
            // Some of this bucket's events left the window, how many is unknown.
            b.partial = true;
            b.minTs = boundary + 1;
          }
          break;
        }
      }
      while (!l.exact.isEmpty() && l.exact.get(0).ts <= boundary) {
        l.exact.remove(0);
      }
      if (l.isEmpty()) {
        lines.remove(li);
        removed = true;
      } else {
        min = Math.min(min, l.firstTs(boundary));
      }
    }
    contentMin = min;
    if (lines.isEmpty()) {
      overflowed = false;
    }
    return removed;
  }

  private long[] currentHashes() {
    long[] h = new long[lines.size()];
    for (int i = 0; i < h.length; i++) {
      h[i] = lines.get(i).hash;
    }
    Arrays.sort(h);
    return h;
  }

  // ---- read side, used when a revision is emitted ----

  long windowStart(long lookbackMicros) {
    return windowEnd - lookbackMicros;
  }

  /** Lines in order of first appearance in the content (Timestamp, then arrival). */
  List<Line> orderedLines(long windowStart) {
    List<Line> ordered = new ArrayList<>(lines);
    ordered.sort(
        Comparator.<Line>comparingLong(l -> l.firstTs(windowStart))
            .thenComparingLong(l -> l.first().seq));
    return ordered;
  }

  /** Every event known exactly or as a bucket's earliest, in content order. */
  List<Event> knownEvents() {
    List<Event> all = new ArrayList<>();
    for (Line l : lines) {
      for (Bucket b : l.buckets) {
        all.add(b.sample);
      }
      all.addAll(l.exact);
    }
    all.sort(Comparator.<Event>comparingLong(e -> e.ts).thenComparingLong(e -> e.seq));
    return all;
  }

  long matchCount() {
    long n = 0;
    for (Line l : lines) {
      n += l.count();
    }
    return n;
  }

  boolean countsExact() {
    if (overflowed) {
      return false;
    }
    for (Line l : lines) {
      if (l.approximate()) {
        return false;
      }
    }
    return true;
  }

  boolean overflowed() {
    return overflowed;
  }

  /** Whether the content holds a match dated ahead of the detector's clock when it was read. */
  boolean aheadOfClock(long windowStart) {
    return aheadUntil > windowStart;
  }
}
