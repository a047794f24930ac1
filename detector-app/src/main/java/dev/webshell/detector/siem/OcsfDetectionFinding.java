package dev.webshell.detector.siem;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.schema.Evidence;
import dev.webshell.schema.WebShellAlert;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * An alert revision as an OCSF <b>Detection Finding</b> (class 2004, category Findings) of OCSF
 * {@value #OCSF_VERSION}: revision 1 is activity Create, later revisions Update, the closing one
 * Close; {@code finding_info.uid} is the alertId, so a SIEM folds the revisions into one finding.
 * Written from the alert alone (no wall clock, host or detector version), like the Avro form. See
 * docs/siem.md for the field-by-field mapping.
 */
public final class OcsfDetectionFinding {
  public static final String OCSF_VERSION = "1.3.0";
  public static final int CATEGORY_UID = 2;
  public static final int CLASS_UID = 2004;
  public static final String PRODUCT_NAME = "Web-shell detector";
  public static final String VENDOR_NAME = "dev.webshell";

  /** OCSF's {@code hostname_t}: labels of letters, digits and inner hyphens, dot-separated. */
  private static final Pattern HOSTNAME =
      Pattern.compile(
          "^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]*[a-zA-Z0-9])\\.)*"
              + "([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\\-]*[A-Za-z0-9])$");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Finding activities (OCSF {@code activity_id}). */
  public enum Activity {
    CREATE(1, "Create"),
    UPDATE(2, "Update"),
    CLOSE(3, "Close");

    public final int id;
    public final String caption;

    Activity(int id, String caption) {
      this.id = id;
      this.caption = caption;
    }

    public static Activity of(WebShellAlert a) {
      if (AlertSummary.isClosed(a)) {
        return CLOSE;
      }
      return a.getRevision() <= 1 ? CREATE : UPDATE;
    }
  }

  private OcsfDetectionFinding() {}

  public static byte[] toBytes(WebShellAlert a) {
    try {
      return JSON.writeValueAsBytes(toJson(a));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  public static ObjectNode toJson(WebShellAlert a) {
    Activity activity = Activity.of(a);
    ObjectNode f = JSON.createObjectNode();
    f.put("activity_id", activity.id);
    f.put("activity_name", activity.caption);
    f.put("category_uid", CATEGORY_UID);
    f.put("category_name", "Findings");
    f.put("class_uid", CLASS_UID);
    f.put("class_name", "Detection Finding");
    f.put("type_uid", CLASS_UID * 100L + activity.id);
    f.put("type_name", "Detection Finding: " + activity.caption);
    Severity severity = Severity.of(a.getSeverity());
    f.put("severity_id", severity.id);
    f.put("severity", severity.caption);
    if (activity == Activity.CLOSE) {
      // Finding status 'Resolved' means reviewed and remediated, which a window emptying is not
      f.put("status_id", 99);
      f.put("status", "Closed");
    } else {
      f.put("status_id", 1);
      f.put("status", "New");
    }
    f.put("time", millis(AlertSummary.time(a)));
    f.put("start_time", millis(a.getFirstSeen()));
    f.put("end_time", millis(a.getLastSeen()));
    f.put("count", (int) Math.min(Integer.MAX_VALUE, a.getMatchCount()));
    f.put("message", AlertSummary.summary(a));
    f.set("finding_info", findingInfo(a));
    f.set("device", device(a));
    f.set("evidences", evidences(a));
    ArrayNode observables = observables(a);
    if (!observables.isEmpty()) {
      f.set("observables", observables);
    }
    f.set("metadata", metadata(a));
    f.set("unmapped", unmapped(a));
    return f;
  }

  private static ObjectNode findingInfo(WebShellAlert a) {
    ObjectNode i = JSON.createObjectNode();
    i.put("uid", a.getAlertId());
    i.put("title", a.getRuleName());
    i.put("desc", AlertSummary.summary(a));
    i.put("first_seen_time", millis(a.getFirstSeen()));
    i.put("last_seen_time", millis(a.getLastSeen()));
    ObjectNode analytic = i.putObject("analytic");
    analytic.put("uid", a.getRuleId());
    analytic.put("name", a.getRuleName());
    analytic.put("version", a.getRuleVersion());
    analytic.put("type_id", 1);
    analytic.put("type", "Rule");
    ArrayNode attacks = JSON.createArrayNode();
    for (MitreAttack.Attack attack : MitreAttack.attacks(a.getTactics(), a.getTechniques())) {
      attacks.add(attack(attack));
    }
    if (!attacks.isEmpty()) {
      i.set("attacks", attacks);
    }
    i.putArray("data_sources").add("DeviceProcessEvents");
    return i;
  }

  private static ObjectNode attack(MitreAttack.Attack attack) {
    ObjectNode o = JSON.createObjectNode();
    if (attack.tacticName() != null) {
      ObjectNode t = o.putObject("tactic");
      t.put("name", attack.tacticName());
      if (attack.tactic() != null) {
        t.put("uid", attack.tactic().id());
        t.put("src_url", attack.tactic().url());
      }
    }
    MitreAttack.Technique technique = attack.technique();
    if (technique != null) {
      if (technique.isSubTechnique()) {
        MitreAttack.Technique parent = MitreAttack.technique(technique.parentId()).orElseThrow();
        o.set("technique", technique(parent));
        o.set("sub_technique", technique(technique));
      } else {
        o.set("technique", technique(technique));
      }
    }
    return o;
  }

  private static ObjectNode technique(MitreAttack.Technique t) {
    ObjectNode o = JSON.createObjectNode();
    if (t.name() != null) {
      o.put("name", t.name());
    }
    o.put("uid", t.id());
    o.put("src_url", t.url());
    return o;
  }

  private static ObjectNode device(WebShellAlert a) {
    ObjectNode d = JSON.createObjectNode();
    // DeviceProcessEvents does not say whether the device is a server or a workstation
    d.put("type_id", 0);
    d.put("type", "Unknown");
    d.put("uid", a.getDeviceId());
    if (a.getDeviceName() != null) {
      d.put("name", a.getHostName() != null ? a.getHostName() : a.getDeviceName());
      if (HOSTNAME.matcher(a.getDeviceName()).matches()) {
        d.put("hostname", a.getDeviceName());
      }
    }
    if (a.getDnsDomain() != null) {
      d.put("domain", a.getDnsDomain());
    }
    return d;
  }

  private static ArrayNode evidences(WebShellAlert a) {
    ArrayNode list = JSON.createArrayNode();
    for (Evidence e : a.getEvidence()) {
      ObjectNode p = JSON.createObjectNode();
      p.put("uid", processUid(a.getDeviceId(), e));
      if (e.getProcessId() != null
          && e.getProcessId() >= 0
          && e.getProcessId() <= Integer.MAX_VALUE) {
        p.put("pid", e.getProcessId().intValue());
      }
      if (e.getFileName() != null) {
        p.put("name", e.getFileName());
      }
      p.put("cmd_line", e.getProcessCommandLine());
      p.put("created_time", millis(e.getTimestamp()));
      List<String> lineage = new ArrayList<>(3);
      if (e.getInitiatingProcessParentFileName() != null) {
        lineage.add(e.getInitiatingProcessParentFileName());
      }
      if (e.getInitiatingProcessFileName() != null) {
        lineage.add(e.getInitiatingProcessFileName());
      }
      if (e.getFileName() != null) {
        lineage.add(e.getFileName());
      }
      ArrayNode l = p.putArray("lineage");
      lineage.forEach(l::add);
      if (e.getAccountName() != null) {
        p.putObject("user").put("name", e.getAccountName());
      }
      ObjectNode evidence = JSON.createObjectNode();
      evidence.set("process", p);
      list.add(evidence);
    }
    return list;
  }

  /**
   * A producer-assigned process uid: a name-based UUID of device, time, process id and command line
   * (an evidence's process id may be unknown, and OCSF wants a pid or a uid).
   */
  static String processUid(String deviceId, Evidence e) {
    String name =
        deviceId
            + '\n'
            + Timestamps.format(e.getTimestamp())
            + '\n'
            + e.getProcessId()
            + '\n'
            + e.getProcessCommandLine();
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static ArrayNode observables(WebShellAlert a) {
    ArrayNode list = JSON.createArrayNode();
    if (a.getDeviceName() != null && HOSTNAME.matcher(a.getDeviceName()).matches()) {
      list.add(observable("device.hostname", 1, "Hostname", a.getDeviceName()));
    }
    List<String> users = new ArrayList<>();
    for (Evidence e : a.getEvidence()) {
      if (e.getAccountName() != null && !users.contains(e.getAccountName())) {
        users.add(e.getAccountName());
      }
    }
    for (String user : users) {
      list.add(observable("evidences.process.user.name", 4, "User Name", user));
    }
    return list;
  }

  private static ObjectNode observable(String name, int typeId, String type, String value) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", name);
    o.put("type_id", typeId);
    o.put("type", type);
    o.put("value", value);
    return o;
  }

  private static ObjectNode metadata(WebShellAlert a) {
    ObjectNode m = JSON.createObjectNode();
    m.put("version", OCSF_VERSION);
    // the class takes `device` from the Host profile
    m.putArray("profiles").add("host");
    ObjectNode product = m.putObject("product");
    product.put("name", PRODUCT_NAME);
    product.put("vendor_name", VENDOR_NAME);
    m.put("uid", a.getAlertId() + ":" + a.getRevision());
    m.put("correlation_uid", a.getAlertId());
    m.put("sequence", a.getRevision());
    m.putArray("labels").add("profile:" + a.getProfile());
    return m;
  }

  /** What OCSF has no attribute for, under the class's {@code unmapped} object. */
  private static ObjectNode unmapped(WebShellAlert a) {
    ObjectNode u = JSON.createObjectNode();
    u.put("alert_status", a.getStatus());
    u.put("revision", a.getRevision());
    u.put("profile", a.getProfile());
    u.put("window_start", Timestamps.format(a.getWindowStart()));
    u.put("window_end", Timestamps.format(a.getWindowEnd()));
    u.put("match_count", a.getMatchCount());
    u.put("counts_exact", a.getCountsExact());
    u.put("command_line_count", a.getCommandLineCount());
    u.put("truncated", a.getTruncated());
    u.put("command_lines_cut", a.getCommandLinesCut());
    ArrayNode lines = u.putArray("command_lines");
    a.getCommandLines().forEach(lines::add);
    ArrayNode tactics = u.putArray("rule_tactics");
    a.getTactics().forEach(tactics::add);
    ArrayNode techniques = u.putArray("rule_techniques");
    a.getTechniques().forEach(techniques::add);
    return u;
  }

  private static long millis(java.time.Instant i) {
    return i.toEpochMilli();
  }

  /** OCSF {@code severity_id} of a rule's severity. */
  record Severity(int id, String caption) {
    static Severity of(String ruleSeverity) {
      String s = ruleSeverity == null ? "" : ruleSeverity.trim().toLowerCase(Locale.ROOT);
      return switch (s) {
        case "informational", "info" -> new Severity(1, "Informational");
        case "low" -> new Severity(2, "Low");
        case "medium" -> new Severity(3, "Medium");
        case "high" -> new Severity(4, "High");
        case "critical" -> new Severity(5, "Critical");
        case "" -> new Severity(0, "Unknown");
        default -> new Severity(99, ruleSeverity.trim());
      };
    }
  }
}
