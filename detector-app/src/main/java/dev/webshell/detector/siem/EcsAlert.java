package dev.webshell.detector.siem;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.schema.Evidence;
import dev.webshell.schema.WebShellAlert;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An alert revision as an Elastic Common Schema {@value #ECS_VERSION} document with {@code
 * event.kind: alert}, the form Elastic Security lists as an external alert: {@code rule.*}, {@code
 * threat.*} (MITRE ATT&amp;CK), {@code host.*}, the process of the revision's latest listed command
 * line ({@code process.*}, {@code user.name}), and the detector's own figures under {@code
 * webshell_detector.*} (a name no ECS field set uses). Written from the alert alone.
 */
public final class EcsAlert {
  public static final String ECS_VERSION = "8.17.0";

  /** The custom field set holding what ECS has no field for. */
  public static final String CUSTOM = "webshell_detector";

  private static final ObjectMapper JSON = new ObjectMapper();

  private EcsAlert() {}

  public static byte[] toBytes(WebShellAlert a) {
    try {
      return JSON.writeValueAsBytes(toJson(a));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  public static ObjectNode toJson(WebShellAlert a) {
    ObjectNode d = JSON.createObjectNode();
    d.put("@timestamp", Timestamps.format(AlertSummary.time(a)));
    d.putObject("ecs").put("version", ECS_VERSION);
    d.put("message", AlertSummary.summary(a));
    d.set("event", event(a));
    d.set("rule", rule(a));
    d.set("threat", threat(a));
    d.set("host", host(a));
    List<Evidence> evidence = a.getEvidence();
    if (!evidence.isEmpty()) {
      Evidence latest = evidence.get(evidence.size() - 1);
      d.set("process", process(a, latest));
      if (latest.getAccountName() != null) {
        d.putObject("user").put("name", latest.getAccountName());
      }
    }
    d.set("related", related(a));
    ObjectNode observer = d.putObject("observer");
    observer.put("vendor", OcsfDetectionFinding.VENDOR_NAME);
    observer.put("product", OcsfDetectionFinding.PRODUCT_NAME);
    d.putArray("tags").add("web-shell").add("profile:" + a.getProfile());
    d.set(CUSTOM, custom(a));
    return d;
  }

  private static ObjectNode event(WebShellAlert a) {
    ObjectNode e = JSON.createObjectNode();
    e.put("kind", "alert");
    e.putArray("category").add("process").add("intrusion_detection");
    e.putArray("type").add("info");
    String action =
        switch (OcsfDetectionFinding.Activity.of(a)) {
          case CREATE -> "alert-created";
          case UPDATE -> "alert-updated";
          case CLOSE -> "alert-closed";
        };
    e.put("action", action);
    e.put("id", a.getAlertId() + ":" + a.getRevision());
    int severity = severity(a.getSeverity());
    e.put("severity", severity);
    e.put("risk_score", (double) severity);
    e.put("start", Timestamps.format(a.getFirstSeen()));
    e.put("end", Timestamps.format(a.getLastSeen()));
    e.put("module", CUSTOM);
    e.put("dataset", CUSTOM + ".alert");
    return e;
  }

  /** Elastic Security's scale (low 21, medium 47, high 73, critical 99). */
  static int severity(String ruleSeverity) {
    String s = ruleSeverity == null ? "" : ruleSeverity.trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "critical" -> 99;
      case "high" -> 73;
      case "medium" -> 47;
      case "low" -> 21;
      default -> 0;
    };
  }

  private static ObjectNode rule(WebShellAlert a) {
    ObjectNode r = JSON.createObjectNode();
    r.put("id", a.getRuleId());
    r.put("uuid", a.getRuleId());
    r.put("name", a.getRuleName());
    r.put("version", a.getRuleVersion());
    r.put("ruleset", a.getProfile());
    r.put("category", "Web shell");
    return r;
  }

  private static ObjectNode threat(WebShellAlert a) {
    ObjectNode t = JSON.createObjectNode();
    t.put("framework", "MITRE ATT&CK");
    ObjectNode tactic = t.putObject("tactic");
    ArrayNode tacticIds = tactic.putArray("id");
    ArrayNode tacticNames = tactic.putArray("name");
    ArrayNode tacticRefs = tactic.putArray("reference");
    for (String name : a.getTactics()) {
      MitreAttack.tactic(name)
          .ifPresentOrElse(
              known -> {
                tacticIds.add(known.id());
                tacticNames.add(known.name());
                tacticRefs.add(known.url());
              },
              () -> tacticNames.add(name));
    }
    ObjectNode technique = t.putObject("technique");
    ArrayNode ids = technique.putArray("id");
    ArrayNode names = technique.putArray("name");
    ArrayNode refs = technique.putArray("reference");
    Set<String> parents = new LinkedHashSet<>();
    ObjectNode sub = JSON.createObjectNode();
    ArrayNode subIds = sub.putArray("id");
    ArrayNode subNames = sub.putArray("name");
    ArrayNode subRefs = sub.putArray("reference");
    for (String id : a.getTechniques()) {
      var parsed = MitreAttack.technique(id);
      if (parsed.isEmpty()) {
        continue;
      }
      MitreAttack.Technique te = parsed.get();
      if (te.isSubTechnique()) {
        subIds.add(te.id());
        if (te.name() != null) {
          subNames.add(te.name());
        }
        subRefs.add(te.url());
      }
      MitreAttack.Technique parent = MitreAttack.technique(te.parentId()).orElseThrow();
      if (parents.add(parent.id())) {
        ids.add(parent.id());
        if (parent.name() != null) {
          names.add(parent.name());
        }
        refs.add(parent.url());
      }
    }
    if (!subIds.isEmpty()) {
      technique.set("subtechnique", sub);
    }
    return t;
  }

  private static ObjectNode host(WebShellAlert a) {
    ObjectNode h = JSON.createObjectNode();
    h.put("id", a.getDeviceId());
    h.put("name", AlertSummary.device(a));
    if (a.getHostName() != null) {
      h.put("hostname", a.getHostName());
    }
    if (a.getDnsDomain() != null) {
      h.put("domain", a.getDnsDomain());
    }
    // the rule reads Windows process creations (Defender, Sysmon): its hosts run Windows
    ObjectNode os = h.putObject("os");
    os.put("type", "windows");
    os.put("family", "windows");
    return h;
  }

  private static ObjectNode process(WebShellAlert a, Evidence e) {
    ObjectNode p = JSON.createObjectNode();
    p.put("entity_id", OcsfDetectionFinding.processUid(a.getDeviceId(), e));
    if (e.getFileName() != null) {
      p.put("name", e.getFileName());
    }
    if (e.getProcessId() != null) {
      p.put("pid", e.getProcessId());
    }
    p.put("command_line", e.getProcessCommandLine());
    p.put("start", Timestamps.format(e.getTimestamp()));
    if (e.getInitiatingProcessFileName() != null) {
      p.putObject("parent").put("name", e.getInitiatingProcessFileName());
    }
    return p;
  }

  private static ObjectNode related(WebShellAlert a) {
    ObjectNode r = JSON.createObjectNode();
    Set<String> users = new LinkedHashSet<>();
    for (Evidence e : a.getEvidence()) {
      if (e.getAccountName() != null) {
        users.add(e.getAccountName());
      }
    }
    ArrayNode u = r.putArray("user");
    users.forEach(u::add);
    Set<String> hosts = new LinkedHashSet<>();
    hosts.add(AlertSummary.device(a));
    if (a.getHostName() != null) {
      hosts.add(a.getHostName());
    }
    ArrayNode h = r.putArray("hosts");
    hosts.forEach(h::add);
    return r;
  }

  private static ObjectNode custom(WebShellAlert a) {
    ObjectNode c = JSON.createObjectNode();
    c.put("alert_id", a.getAlertId());
    c.put("revision", a.getRevision());
    c.put("status", a.getStatus());
    c.put("severity", a.getSeverity());
    c.put("window_start", Timestamps.format(a.getWindowStart()));
    c.put("window_end", Timestamps.format(a.getWindowEnd()));
    c.put("match_count", a.getMatchCount());
    c.put("counts_exact", a.getCountsExact());
    c.put("command_line_count", a.getCommandLineCount());
    c.put("truncated", a.getTruncated());
    c.put("command_lines_cut", a.getCommandLinesCut());
    ArrayNode lines = c.putArray("command_lines");
    a.getCommandLines().forEach(lines::add);
    strings(c, "file_names", a.getFileNames());
    strings(c, "initiating_process_file_names", a.getInitiatingProcessFileNames());
    strings(c, "initiating_process_parent_file_names", a.getInitiatingProcessParentFileNames());
    ArrayNode evidence = c.putArray("evidence");
    for (Evidence e : a.getEvidence()) {
      ObjectNode x = evidence.addObject();
      x.put("timestamp", Timestamps.format(e.getTimestamp()));
      if (e.getReportId() != null) {
        x.put("report_id", e.getReportId());
      }
      if (e.getProcessId() != null) {
        x.put("process_id", e.getProcessId());
      }
      x.put("file_name", e.getFileName());
      x.put("command_line", e.getProcessCommandLine());
      x.put("account_name", e.getAccountName());
      x.put("initiating_process_file_name", e.getInitiatingProcessFileName());
      x.put("initiating_process_parent_file_name", e.getInitiatingProcessParentFileName());
    }
    return c;
  }

  private static void strings(ObjectNode o, String name, List<String> values) {
    ArrayNode a = o.putArray(name);
    values.forEach(a::add);
  }
}
