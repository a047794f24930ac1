package dev.webshell.detector.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * An independent, deliberately naive implementation of SPEC sections 2, 4 and 5 for the seed rule:
 * regular expressions and lower-casing instead of the production operators, and a full rescan of
 * every device's matches at every event instead of incremental state. Tests compare the detector's
 * alert revisions with this one's, field by field.
 */
final class ReferenceDetector {
  private static final String RULE_ID = "fa2f7d8a-6726-465a-aa72-6f6e3d4c99d7";
  private final long lookbackMicros;
  private final int maxCommandLines;
  private final long clockLimitMicros;
  private long streamTime = Long.MIN_VALUE;
  private long seq;
  private final Map<String, Device> devices = new HashMap<>();

  private static final class Device {
    List<Ev> matches = new ArrayList<>();
    Map<Ev, Long> seqOf = new HashMap<>();
    long t = Long.MIN_VALUE;
    String alertId;
    int revision;
    Set<String> lastEmitted = Set.of();
    Set<Ev> ahead = new java.util.HashSet<>();
  }

  ReferenceDetector(long lookbackMicros, int maxCommandLines) {
    this(lookbackMicros, maxCommandLines, Long.MAX_VALUE);
  }

  /**
   * @param clockLimitMicros the detector's clock plus its tolerance (SPEC 4, "Clock skew"): an
   *     event dated later never advances stream time, and the alerts whose content holds one say so
   */
  ReferenceDetector(long lookbackMicros, int maxCommandLines, long clockLimitMicros) {
    this.lookbackMicros = lookbackMicros;
    this.maxCommandLines = maxCommandLines;
    this.clockLimitMicros = clockLimitMicros;
  }

  static String asciiLower(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
    }
    return b.toString();
  }

  static boolean matches(Ev e) {
    List<String> servers = List.of("w3wp.exe", "beasvc.exe", "httpd.exe");
    boolean lineage =
        (e.parent != null
                && (servers.contains(e.parent) || asciiLower(e.parent).startsWith("tomcat")))
            || (e.initiating != null
                && (servers.contains(e.initiating)
                    || asciiLower(e.initiating).startsWith("tomcat")));
    boolean shell =
        e.fileName != null
            && (asciiLower(e.fileName).equals("cmd.exe")
                || asciiLower(e.fileName).equals("powershell.exe"));
    if (!lineage || !shell || e.cmd == null) {
      return false;
    }
    String lower = asciiLower(e.cmd);
    if (lower.contains("%temp%")) {
      return true;
    }
    for (String term : lower.split("[^a-z0-9]+")) {
      if (Set.of("wget", "whoami", "certutil", "systeminfo", "ping", "ipconfig", "timeout")
          .contains(term)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Feeds one event; returns the revisions it emits: closing revisions of the alerts whose window
   * it empties (stream time reaching their lastSeen + 7 days, earliest close first, ties by
   * DeviceId), then its own device's, if any.
   */
  List<JsonNode> process(Ev e) {
    List<JsonNode> out = new ArrayList<>();
    long mySeq = seq++;
    boolean ahead = e.micros > clockLimitMicros;
    if (!ahead) {
      streamTime = Math.max(streamTime, e.micros);
    }
    out.addAll(closeEmptied());
    if (!matches(e)) {
      return out;
    }
    if (e.micros <= streamTime - lookbackMicros) {
      return out;
    }
    Device d = devices.computeIfAbsent(e.deviceId, k -> new Device());
    if (!d.matches.isEmpty() && e.micros >= d.t + lookbackMicros) {
      // dated so far ahead that it empties its own device's window: that alert closes first
      out.add(close(e.deviceId, d));
    }
    if (!d.matches.isEmpty() && e.micros <= d.t - lookbackMicros) {
      return out;
    }
    long newT = d.matches.isEmpty() ? e.micros : Math.max(d.t, e.micros);
    List<Ev> content = new ArrayList<>();
    for (Ev m : d.matches) {
      if (m.micros > newT - lookbackMicros) {
        content.add(m);
      }
    }
    if (content.isEmpty()) {
      d.alertId =
          UUID.nameUUIDFromBytes(
                  (RULE_ID + "|" + e.deviceId + "|" + e.micros).getBytes(StandardCharsets.UTF_8))
              .toString();
      d.revision = 0;
      d.lastEmitted = Set.of();
    }
    content.add(e);
    d.seqOf.put(e, mySeq);
    if (ahead) {
      d.ahead.add(e);
    }
    d.matches = content;
    d.t = newT;
    content.sort(Comparator.<Ev>comparingLong(x -> x.micros).thenComparingLong(d.seqOf::get));
    Set<String> lines = lines(content);
    if (lines.equals(d.lastEmitted)) {
      return out;
    }
    d.lastEmitted = Set.copyOf(lines);
    d.revision++;
    out.add(alert(e.deviceId, d, content, new ArrayList<>(lines), d.revision, "open"));
    return out;
  }

  /** The end of the input: the alerts whose window has emptied by now close. */
  List<JsonNode> finish() {
    return closeEmptied();
  }

  private List<JsonNode> closeEmptied() {
    List<String> due = new ArrayList<>();
    devices.forEach(
        (id, d) -> {
          if (!d.matches.isEmpty() && d.t + lookbackMicros <= streamTime) {
            due.add(id);
          }
        });
    due.sort(
        Comparator.<String>comparingLong(id -> devices.get(id).t)
            .thenComparing(id -> id.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
    List<JsonNode> out = new ArrayList<>();
    for (String id : due) {
      out.add(close(id, devices.get(id)));
    }
    return out;
  }

  /** The closing revision: the content as it stood at the last match, one revision later. */
  private JsonNode close(String deviceId, Device d) {
    JsonNode closing =
        alert(deviceId, d, d.matches, new ArrayList<>(lines(d.matches)), d.revision + 1, "closed");
    d.matches = new ArrayList<>();
    d.t = Long.MIN_VALUE;
    return closing;
  }

  private static Set<String> lines(List<Ev> content) {
    Set<String> lines = new LinkedHashSet<>();
    for (Ev m : content) {
      lines.add(m.cmd);
    }
    return lines;
  }

  private JsonNode alert(
      String deviceId,
      Device d,
      List<Ev> content,
      List<String> lines,
      int revision,
      String status) {
    ObjectNode a = Ev.JSON.createObjectNode();
    Ev first = content.get(0);
    a.put("alertId", d.alertId);
    a.put("revision", revision);
    // SPEC section 1, and the version of the kql profile's rule file
    a.put("ruleId", RULE_ID);
    a.put("ruleName", "Detect suspicious commands initiated by web server processes");
    a.put("ruleVersion", "1.0.0");
    a.put("profile", "kql");
    a.put("severity", "High");
    ArrayNode tactics = a.putArray("tactics");
    List.of("Execution", "DefenseEvasion", "Discovery").forEach(tactics::add);
    ArrayNode techniques = a.putArray("techniques");
    List.of("T1059", "T1574", "T1087", "T1082").forEach(techniques::add);
    a.put("deviceId", deviceId);
    String name = null;
    for (Ev m : content) {
      if (m.deviceName != null) {
        name = m.deviceName;
        break;
      }
    }
    if (first.deviceName != null) {
      name = first.deviceName;
    }
    a.put("deviceName", name);
    a.put("hostName", name == null ? null : name.split("\\.", 2)[0]);
    a.put("dnsDomain", name == null || !name.contains(".") ? null : name.split("\\.", 2)[1]);
    a.put("firstSeen", format(first.micros));
    a.put("lastSeen", format(d.t));
    a.put("windowStart", format(d.t - lookbackMicros));
    a.put("windowEnd", format(d.t));
    a.put("matchCount", content.size());
    a.put("countsExact", true);
    a.put("fileName", first.fileName);
    a.set("fileNames", distinct(content, m -> m.fileName));
    a.put("initiatingProcessFileName", first.initiating);
    a.set("initiatingProcessFileNames", distinct(content, m -> m.initiating));
    a.put("initiatingProcessParentFileName", first.parent);
    a.set("initiatingProcessParentFileNames", distinct(content, m -> m.parent));
    int listed = Math.min(lines.size(), maxCommandLines);
    ArrayNode cl = a.putArray("commandLines");
    ArrayNode evidence = Ev.JSON.createArrayNode();
    for (int i = 0; i < listed; i++) {
      String line = lines.get(i);
      cl.add(line);
      for (Ev m : content) {
        if (m.cmd.equals(line)) {
          ObjectNode x = evidence.addObject();
          x.put("timestamp", format(m.micros));
          x.put("reportId", m.reportId);
          x.put("processId", m.processId);
          x.put("fileName", m.fileName);
          x.put("processCommandLine", m.cmd);
          x.put("accountName", m.account);
          x.put("initiatingProcessFileName", m.initiating);
          x.put("initiatingProcessParentFileName", m.parent);
          break;
        }
      }
    }
    a.put("commandLineCount", lines.size());
    a.put("truncated", lines.size() > listed);
    a.put("commandLinesCut", false);
    a.set("evidence", evidence);
    a.put("aheadOfClock", content.stream().anyMatch(d.ahead::contains));
    a.put("status", status);
    return a;
  }

  private static ArrayNode distinct(List<Ev> content, java.util.function.Function<Ev, String> f) {
    ArrayNode n = Ev.JSON.createArrayNode();
    Set<String> seen = new LinkedHashSet<>();
    for (Ev m : content) {
      String v = f.apply(m);
      if (v != null && seen.add(v)) {
        n.add(v);
      }
    }
    return n;
  }

  private static final java.time.format.DateTimeFormatter MICROS =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
          .withZone(java.time.ZoneOffset.UTC);

  /** SPEC 5's timestamps: ISO-8601 UTC with microseconds. */
  static String format(long micros) {
    return MICROS.format(
        java.time.Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L));
  }

  /** An ISO-8601 instant with up to nine fractional digits, cut to microseconds. */
  static long parseMicros(String text) {
    java.time.Instant i = java.time.Instant.parse(text);
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

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
