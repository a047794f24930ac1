package dev.webshell.detector.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * An independent, deliberately naive implementation of SPEC sections 2, 4 and 5: the predicate of
 * {@link ReferenceRule}, and a full rescan of the device's matches at every event instead of
 * incremental state. Every figure is computed exactly from the window content; where the detector
 * may give exactness up (README "Bounds": hourly buckets past {@code maxExactEventsPerCommandLine},
 * untracked lines past {@code maxTrackedCommandLines}), a {@link Step} carries what the documented
 * bounds allow. Tests compare the detector's revisions with these, field by field.
 */
final class ReferenceDetector {
  static final long HOUR_MICROS = 3_600_000_000L;

  /** The rule's caps (SPEC 4, README "Bounds"). */
  record Bounds(
      long lookbackMicros,
      int maxCommandLines,
      int maxCommandLineLength,
      int maxExactEventsPerCommandLine,
      int maxTrackedCommandLines) {
    static Bounds defaults(long lookbackMicros, int maxCommandLines) {
      return new Bounds(lookbackMicros, maxCommandLines, 32_768, 64, 4_096);
    }
  }

  /** What one event did: its revision, if any, what the bounds allow for it, and why. */
  static final class Step {
    boolean matched;
    boolean ahead;
    boolean droppedByStreamTime;
    boolean lateForDevice;
    boolean untracked;

    /** Timestamp == stream time − lookback (dropped: not after it). */
    boolean onStreamTimeBoundary;

    /** Timestamp == the device's T − lookback (late for the device: not after it). */
    boolean onDeviceBoundary;

    /** Timestamp == the device's T − lookback + 1 µs: the oldest the window still takes. */
    boolean justInsideDeviceWindow;

    /** Timestamp == the device's T + lookback: the old content has left, a new alert opens. */
    boolean opensExactlyOneLookbackLater;

    /** The revision, exactly as the SPEC computes it from the (tracked) content; or null. */
    ObjectNode revision;

    /**
     * Closing revisions this event caused before its own (SPEC 4): alerts whose window emptied as
     * stream time moved, earliest first, ties by DeviceId; then its own device's, when the event
     * empties that window itself. Each carries its own facts.
     */
    final List<Step> closes = new ArrayList<>();

    /** Lines left untracked since the alert opened (maxTrackedCommandLines). */
    boolean overflowed;

    /** A line holds more than maxExactEventsPerCommandLine events: the detector folds some. */
    boolean folded;

    /** A folded line has events within the hour before the window start: a bucket may straddle. */
    boolean mayStraddle;

    /** matchCount + the folded lines' events in (windowStart − 1h, windowStart]. */
    long matchCountUpperBound;

    /** Values of the matches taken since the window start − 1h (buckets keep one of them). */
    Set<String> nearFileNames;

    Set<String> nearInitiatingFileNames;
    Set<String> nearParentFileNames;
    Set<String> nearDeviceNames;

    /** The content's lines as the alert shows them (cut), listed or not. */
    Set<String> allShownLines;

    /** The first event of the content has no DeviceName: the alert takes the next one's. */
    boolean firstDeviceNameNull;

    /** Two listed lines whose cut texts are equal: distinct only by the full line. */
    boolean cutTwins;
  }

  /** A match the window took, in arrival order. */
  private record M(Ev e, long seq, boolean ahead) {}

  private static final class Device {
    List<M> content = new ArrayList<>();
    List<M> recent = new ArrayList<>();
    long t = Long.MIN_VALUE;
    String alertId;
    int revision;
    Set<String> lastEmitted = Set.of();
    boolean overflowed;
  }

  private final ReferenceRule rule;
  private final Bounds bounds;
  private final long lookbackMicros;
  private final long clockLimitMicros;
  private long streamTime = Long.MIN_VALUE;
  private long seq;
  private final Map<String, Device> devices = new HashMap<>();

  ReferenceDetector(long lookbackMicros, int maxCommandLines) {
    this(lookbackMicros, maxCommandLines, Long.MAX_VALUE);
  }

  /**
   * @param clockLimitMicros the detector's clock plus its tolerance (SPEC 4, "Clock skew"): an
   *     event dated later never advances stream time, and the alerts whose content holds one say so
   */
  ReferenceDetector(long lookbackMicros, int maxCommandLines, long clockLimitMicros) {
    this(ReferenceRule.kql(), Bounds.defaults(lookbackMicros, maxCommandLines), clockLimitMicros);
  }

  ReferenceDetector(ReferenceRule rule, Bounds bounds, long clockLimitMicros) {
    this.rule = rule;
    this.bounds = bounds;
    this.lookbackMicros = bounds.lookbackMicros();
    this.clockLimitMicros = clockLimitMicros;
  }

  /** Feeds one event; returns the revisions it emits: closing ones first, then its own. */
  List<JsonNode> process(Ev e) {
    Step s = step(e);
    List<JsonNode> out = new ArrayList<>();
    s.closes.forEach(c -> out.add(c.revision));
    if (s.revision != null) {
      out.add(s.revision);
    }
    return out;
  }

  /** The end of the input: the alerts whose window has emptied by now close. */
  List<Step> finish() {
    return closeEmptied();
  }

  private List<Step> closeEmptied() {
    List<String> due = new ArrayList<>();
    devices.forEach(
        (id, d) -> {
          if (!d.content.isEmpty() && d.t + lookbackMicros <= streamTime) {
            due.add(id);
          }
        });
    due.sort(
        Comparator.<String>comparingLong(id -> devices.get(id).t)
            .thenComparing(id -> id.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
    List<Step> out = new ArrayList<>();
    for (String id : due) {
      out.add(close(id, devices.get(id)));
    }
    return out;
  }

  /**
   * The closing revision: the content as it stood at the last match (repeats included), one
   * revision later; then the device is forgotten.
   */
  private Step close(String deviceId, Device d) {
    Step c = new Step();
    List<String> lines = new ArrayList<>(lines(d.content));
    c.revision = alert(deviceId, d, lines, d.revision + 1, "closed");
    facts(c, d, lines);
    d.content = new ArrayList<>();
    d.recent = new ArrayList<>();
    d.t = Long.MIN_VALUE;
    d.overflowed = false;
    d.lastEmitted = Set.of();
    return c;
  }

  private static Set<String> lines(List<M> content) {
    Set<String> lines = new LinkedHashSet<>();
    for (M m : content) {
      lines.add(m.e.cmd);
    }
    return lines;
  }

  /** The newest Timestamp that moved stream time, or MIN_VALUE before the first one. */
  long streamTime() {
    return streamTime;
  }

  /** The device's T (newest matching Timestamp) while its window holds matches, else MIN_VALUE. */
  long deviceT(String deviceId) {
    Device d = devices.get(deviceId);
    return d == null || d.content.isEmpty() ? Long.MIN_VALUE : d.t;
  }

  /** Feeds one event; says what it did. */
  Step step(Ev e) {
    Step s = new Step();
    long mySeq = seq++;
    s.ahead = e.micros > clockLimitMicros;
    if (!s.ahead) {
      streamTime = Math.max(streamTime, e.micros);
    }
    s.closes.addAll(closeEmptied());
    if (!rule.matches(e)) {
      return s;
    }
    s.matched = true;
    Device d = devices.computeIfAbsent(e.deviceId, k -> new Device());
    if (!d.content.isEmpty()) {
      s.onDeviceBoundary = e.micros == d.t - lookbackMicros;
      s.justInsideDeviceWindow = e.micros == d.t - lookbackMicros + 1;
      s.opensExactlyOneLookbackLater = e.micros == d.t + lookbackMicros;
      if (e.micros >= d.t + lookbackMicros) {
        // dated so far ahead (of the clock) that it empties its own window: that alert closes
        s.closes.add(close(e.deviceId, d));
      }
    }
    // before the first event that moves it there is no stream time, so no lookback to fall out of
    if (streamTime != Long.MIN_VALUE) {
      s.onStreamTimeBoundary = e.micros == streamTime - lookbackMicros;
      if (e.micros <= streamTime - lookbackMicros) {
        s.droppedByStreamTime = true;
        return s;
      }
    }
    if (!d.content.isEmpty() && e.micros <= d.t - lookbackMicros) {
      s.lateForDevice = true;
      return s;
    }
    long newT = Math.max(d.t, e.micros);
    List<M> content = new ArrayList<>();
    for (M m : d.content) {
      if (m.e.micros > newT - lookbackMicros) {
        content.add(m);
      }
    }
    if (content.isEmpty()) {
      d.alertId =
          UUID.nameUUIDFromBytes(
                  (rule.alertIdentity() + "|" + e.deviceId + "|" + e.micros)
                      .getBytes(StandardCharsets.UTF_8))
              .toString();
      d.revision = 0;
      d.lastEmitted = Set.of();
      d.overflowed = false;
      d.recent = new ArrayList<>();
    }
    d.t = newT;
    Set<String> tracked = new LinkedHashSet<>();
    content.forEach(m -> tracked.add(m.e.cmd));
    if (!tracked.contains(e.cmd) && tracked.size() >= bounds.maxTrackedCommandLines()) {
      // README "Bounds": a new line finding maxTrackedCommandLines lines tracked is not tracked;
      // the alert says so (countsExact=false, truncated=true) until the window empties. Read so,
      // a line is tracked again once a tracked one has left the window.
      s.untracked = true;
      d.overflowed = true;
    } else {
      M m = new M(e, mySeq, s.ahead);
      content.add(m);
      d.recent.add(m);
    }
    d.recent.removeIf(m -> m.e.micros <= newT - lookbackMicros - HOUR_MICROS);
    content.sort(Comparator.<M>comparingLong(m -> m.e.micros).thenComparingLong(m -> m.seq));
    d.content = content;
    Set<String> lines = lines(content);
    if (lines.equals(d.lastEmitted)) {
      return s;
    }
    d.lastEmitted = Set.copyOf(lines);
    d.revision++;
    s.revision = alert(e.deviceId, d, new ArrayList<>(lines), d.revision, "open");
    facts(s, d, new ArrayList<>(lines));
    return s;
  }

  /** A line as the alert shows it: cut to maxCommandLineLength characters. */
  String shown(String line) {
    int max = bounds.maxCommandLineLength();
    return line.length() > max ? line.substring(0, max) : line;
  }

  private ObjectNode alert(
      String deviceId, Device d, List<String> lines, int revision, String status) {
    List<M> content = d.content;
    ObjectNode a = Ev.JSON.createObjectNode();
    Ev first = content.get(0).e;
    a.put("alertId", d.alertId);
    a.put("revision", revision);
    a.put("ruleId", rule.id);
    a.put("ruleName", rule.name);
    a.put("ruleVersion", rule.version);
    a.put("profile", rule.profile);
    a.put("severity", rule.severity);
    ArrayNode tactics = a.putArray("tactics");
    rule.tactics.forEach(tactics::add);
    ArrayNode techniques = a.putArray("techniques");
    rule.techniques.forEach(techniques::add);
    a.put("deviceId", deviceId);
    String name = first.deviceName;
    for (int i = 0; name == null && i < content.size(); i++) {
      name = content.get(i).e.deviceName;
    }
    a.put("deviceName", name);
    a.put("hostName", name == null ? null : name.split("\\.", 2)[0]);
    a.put("dnsDomain", name == null || !name.contains(".") ? null : name.split("\\.", 2)[1]);
    a.put("firstSeen", format(first.micros));
    a.put("lastSeen", format(d.t));
    a.put("windowStart", format(d.t - lookbackMicros));
    a.put("windowEnd", format(d.t));
    a.put("matchCount", content.size());
    a.put("countsExact", !d.overflowed);
    a.put("fileName", first.fileName);
    a.set("fileNames", distinct(content, m -> m.fileName));
    a.put("initiatingProcessFileName", first.initiating);
    a.set("initiatingProcessFileNames", distinct(content, m -> m.initiating));
    a.put("initiatingProcessParentFileName", first.parent);
    a.set("initiatingProcessParentFileNames", distinct(content, m -> m.parent));
    int listed = Math.min(lines.size(), bounds.maxCommandLines());
    ArrayNode cl = a.putArray("commandLines");
    ArrayNode evidence = Ev.JSON.createArrayNode();
    boolean cut = false;
    for (int i = 0; i < listed; i++) {
      String line = lines.get(i);
      cl.add(shown(line));
      cut |= line.length() > bounds.maxCommandLineLength();
      for (M match : content) {
        Ev m = match.e;
        if (m.cmd.equals(line)) {
          ObjectNode x = evidence.addObject();
          x.put("timestamp", format(m.micros));
          x.set("reportId", number(m.reportId));
          x.set("processId", number(m.processId));
          x.put("fileName", m.fileName);
          x.put("processCommandLine", shown(m.cmd));
          x.put("accountName", m.account);
          x.put("initiatingProcessFileName", m.initiating);
          x.put("initiatingProcessParentFileName", m.parent);
          break;
        }
      }
    }
    a.put("commandLineCount", lines.size());
    a.put("truncated", lines.size() > listed || d.overflowed);
    a.put("commandLinesCut", cut);
    a.set("evidence", evidence);
    a.put("aheadOfClock", content.stream().anyMatch(M::ahead));
    a.put("status", status);
    return a;
  }

  private void facts(Step s, Device d, List<String> lines) {
    long windowStart = d.t - lookbackMicros;
    Map<String, Integer> perLine = new LinkedHashMap<>();
    for (M m : d.content) {
      perLine.merge(m.e.cmd, 1, Integer::sum);
    }
    s.overflowed = d.overflowed;
    s.matchCountUpperBound = d.content.size();
    for (Map.Entry<String, Integer> line : perLine.entrySet()) {
      if (line.getValue() <= bounds.maxExactEventsPerCommandLine()) {
        continue;
      }
      s.folded = true;
      long justBefore =
          d.recent.stream()
              .filter(m -> m.e.cmd.equals(line.getKey()))
              .filter(m -> m.e.micros <= windowStart)
              .count();
      s.mayStraddle |= justBefore > 0;
      s.matchCountUpperBound += justBefore;
    }
    s.nearFileNames = values(d.recent, m -> m.fileName);
    s.nearInitiatingFileNames = values(d.recent, m -> m.initiating);
    s.nearParentFileNames = values(d.recent, m -> m.parent);
    s.nearDeviceNames = values(d.recent, m -> m.deviceName);
    s.firstDeviceNameNull = d.content.get(0).e.deviceName == null;
    s.allShownLines = new HashSet<>();
    lines.forEach(l -> s.allShownLines.add(shown(l)));
    Set<String> shownLines = new HashSet<>();
    for (int i = 0; i < Math.min(lines.size(), bounds.maxCommandLines()); i++) {
      s.cutTwins |= !shownLines.add(shown(lines.get(i)));
    }
  }

  /** A number as JSON reads it back (an int where it fits), so that revisions compare equal. */
  private static JsonNode number(Long n) {
    if (n == null) {
      return NullNode.getInstance();
    }
    return n == n.intValue() ? IntNode.valueOf(n.intValue()) : LongNode.valueOf(n);
  }

  private static Set<String> values(List<M> matches, Function<Ev, String> f) {
    Set<String> out = new HashSet<>();
    for (M m : matches) {
      out.add(f.apply(m.e));
    }
    return out;
  }

  private static ArrayNode distinct(List<M> content, Function<Ev, String> f) {
    ArrayNode n = Ev.JSON.createArrayNode();
    Set<String> seen = new LinkedHashSet<>();
    for (M m : content) {
      String v = f.apply(m.e);
      if (v != null && seen.add(v)) {
        n.add(v);
      }
    }
    return n;
  }

  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** SPEC 5's timestamps: ISO-8601 UTC with microseconds. */
  static String format(long micros) {
    return MICROS.format(
        Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L));
  }

  /** An ISO-8601 instant with up to nine fractional digits, cut to microseconds. */
  static long parseMicros(String text) {
    Instant i = Instant.parse(text);
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
  }

  /** A flat DeviceProcessEvents row read by the reference: only the columns SPEC 2, 4, 5 use. */
  static Ev fromRow(JsonNode row) {
    Ev e = Ev.atMicros(parseMicros(row.get("Timestamp").asText()));
    e.deviceId = text(row, "DeviceId");
    e.deviceName = text(row, "DeviceName");
    e.fileName = text(row, "FileName");
    e.cmd = text(row, "ProcessCommandLine");
    e.initiating = text(row, "InitiatingProcessFileName");
    e.parent = text(row, "InitiatingProcessParentFileName");
    e.initiatingCmd = text(row, "InitiatingProcessCommandLine");
    e.reportId = row.hasNonNull("ReportId") ? row.get("ReportId").asLong() : null;
    e.processId = row.hasNonNull("ProcessId") ? row.get("ProcessId").asLong() : null;
    e.account = text(row, "AccountName");
    return e;
  }

  private static String text(JsonNode row, String field) {
    return row.hasNonNull(field) ? row.get(field).asText() : null;
  }

  /** The fields the reference computes (rule metadata is checked elsewhere). */
  static ObjectNode comparable(JsonNode detectorAlert, JsonNode reference) {
    ObjectNode out = Ev.JSON.createObjectNode();
    reference.fieldNames().forEachRemaining(f -> out.set(f, detectorAlert.get(f)));
    return out;
  }
}
