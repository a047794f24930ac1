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

    /**
     * The line's first known event in the content: a bucket's earliest event, unless a bucket cut
     * by the window start kept one that has left the window; then the next one known.
     */
    Event first(long windowStart) {
      for (Bucket b : buckets) {
        if (b.sample.ts > windowStart) {
          return b.sample;
        }
      }
      return exact.get(0);
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
    String initiatingFileName;
    String initiatingParentFileName;
    String deviceName;

    static Event of(Match m, long seq) {
      Event e = new Event();
      e.ts = m.timestampMicros();
      e.seq = seq;
      e.reportId = m.reportId();
      e.processId = m.processId();
      e.fileName = m.fileName();
      e.accountName = m.accountName();
      e.initiatingFileName = m.initiatingProcessFileName();
      e.initiatingParentFileName = m.initiatingProcessParentFileName();
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

    /**
     * Where each distinct value of the reported fields first occurred among the bucket's events, so
     * that the alert's sets list them all; at most {@link #MAX_SEEN} entries.
     */
    final List<Seen> seen = new ArrayList<>();

    /** A value did not fit in {@link #seen}: the sets may miss it. */
    boolean seenCut;
  }

  /** The fields whose distinct values an alert lists. */
  static final int FILE_NAME = 0;

  static final int INITIATING_FILE_NAME = 1;
  static final int INITIATING_PARENT_FILE_NAME = 2;
  static final int DEVICE_NAME = 3;

  /** Distinct values a bucket remembers, over its four fields. */
  static final int MAX_SEEN = 32;

  /** The first occurrence of a value of a field among a bucket's events. */
  static final class Seen {
    int field;
    String value;
    long ts;
    long seq;

    Seen(int field, String value, long ts, long seq) {
      this.field = field;
      this.value = value;
      this.ts = ts;
      this.seq = seq;
    }
  }

  static String value(Event e, int field) {
    return switch (field) {
      case FILE_NAME -> e.fileName;
      case INITIATING_FILE_NAME -> e.initiatingFileName;
      case INITIATING_PARENT_FILE_NAME -> e.initiatingParentFileName;
      default -> e.deviceName;
    };
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
    remember(b, e);
  }

  static void remember(Bucket b, Event e) {
    for (int f = FILE_NAME; f <= DEVICE_NAME; f++) {
      String v = value(e, f);
      if (v == null) {
        continue;
      }
      Seen known = null;
      for (Seen s : b.seen) {
        if (s.field == f && s.value.equals(v)) {
          known = s;
          break;
        }
      }
      if (known == null) {
        if (b.seen.size() < MAX_SEEN) {
          b.seen.add(new Seen(f, v, e.ts, e.seq));
        } else {
          b.seenCut = true;
        }
      } else if (e.ts < known.ts || (e.ts == known.ts && e.seq < known.seq)) {
        known.ts = e.ts;
        known.seq = e.seq;
      }
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
            .thenComparingLong(l -> l.first(windowStart).seq));
    return ordered;
  }

  /**
   * Every event of the content known exactly or as a bucket's earliest, in content order; a
   * bucket's earliest that has left the window (the bucket straddles its start) is not content.
   */
  List<Event> knownEvents(long windowStart) {
    List<Event> all = new ArrayList<>();
    for (Line l : lines) {
      for (Bucket b : l.buckets) {
        if (b.sample.ts > windowStart) {
          all.add(b.sample);
        }
      }
      all.addAll(l.exact);
    }
    all.sort(Comparator.<Event>comparingLong(e -> e.ts).thenComparingLong(e -> e.seq));
    return all;
  }

  /**
   * The distinct non-null values of a field in the content, in order of first appearance: those of
   * the exact events and of every event folded into a bucket. A value first seen in a bucket's part
   * that left the window is placed at the window start (the bucket straddles it: counts are then
   * approximate anyway).
   */
  List<String> distinctValues(int field, long windowStart) {
    List<Seen> all = new ArrayList<>();
    for (Line l : lines) {
      for (Bucket b : l.buckets) {
        for (Seen s : b.seen) {
          if (s.field == field) {
            all.add(new Seen(field, s.value, Math.max(s.ts, windowStart + 1), s.seq));
          }
        }
      }
      for (Event e : l.exact) {
        String v = value(e, field);
        if (v != null) {
          all.add(new Seen(field, v, e.ts, e.seq));
        }
      }
    }
    all.sort(Comparator.<Seen>comparingLong(x -> x.ts).thenComparingLong(x -> x.seq));
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (Seen x : all) {
      out.add(x.value);
    }
    return new ArrayList<>(out);
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
      for (Bucket b : l.buckets) {
        if (b.seenCut) {
          return false;
        }
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
