package dev.webshell.detector.notify.destination;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.siem.AlertSummary;
import dev.webshell.schema.WebShellAlert;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * PagerDuty Events API v2 ({@code POST /v2/enqueue}): one alert per detector alert, {@code
 * dedup_key} = alertId. Trigger and update are {@code trigger} events (an update adds a log entry
 * to the open alert and refreshes its details); the closing revision is a {@code resolve}. Limits
 * kept: summary 1024 characters, dedup key 255, body far below 512 KB.
 */
public final class PagerDuty implements Destination {
  public static final String DEFAULT_URL = "https://events.pagerduty.com/v2/enqueue";
  static final int MAX_SUMMARY = 1024;
  static final int MAX_LINES = 50;
  static final int MAX_LINE = 2000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI url;
  private final String routingKey;
  private final Duration timeout;

  public PagerDuty(URI url, String routingKey, Duration timeout) {
    this.url = url;
    this.routingKey = routingKey;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "pagerduty";
  }

  @Override
  public Request request(Notification n) {
    return Request.post(Request.json(url, timeout), body(n).toString());
  }

  ObjectNode body(Notification n) {
    WebShellAlert a = n.alert();
    ObjectNode e = JSON.createObjectNode();
    e.put("routing_key", routingKey);
    e.put("dedup_key", a.getAlertId());
    if (n.action() == Action.RESOLVE) {
      e.put("event_action", "resolve");
      return e;
    }
    e.put("event_action", "trigger");
    e.put("client", "Web-shell detector");
    ObjectNode p = e.putObject("payload");
    p.put(
        "summary",
        Texts.cut(AlertSummary.headline(a) + ": " + AlertSummary.summary(a), MAX_SUMMARY));
    p.put("source", AlertSummary.device(a));
    p.put("severity", severity(a.getSeverity()));
    p.put("timestamp", Timestamps.format(a.getLastSeen()));
    if (a.getFileName() != null) {
      p.put("component", a.getFileName());
    }
    p.put("group", "web-shell-detector/" + a.getProfile());
    p.put("class", a.getRuleName());
    ObjectNode d = p.putObject("custom_details");
    d.put("alert_id", a.getAlertId());
    d.put("revision", a.getRevision());
    d.put("status", a.getStatus());
    d.put("device_id", a.getDeviceId());
    d.put("device_name", a.getDeviceName());
    d.put("first_seen", Timestamps.format(a.getFirstSeen()));
    d.put("last_seen", Timestamps.format(a.getLastSeen()));
    d.put("match_count", a.getMatchCount());
    d.put("command_line_count", a.getCommandLineCount());
    ArrayNode lines = d.putArray("command_lines");
    for (int i = 0; i < a.getCommandLines().size() && i < MAX_LINES; i++) {
      lines.add(Texts.cut(a.getCommandLines().get(i), MAX_LINE));
    }
    d.put("command_lines_listed", lines.size());
    d.put("lineage", AlertSummary.lineage(a));
    d.put("rule_id", a.getRuleId());
    d.put("rule_version", a.getRuleVersion());
    d.put("tactics", String.join(", ", a.getTactics()));
    d.put("techniques", String.join(", ", a.getTechniques()));
    return e;
  }

  /** PagerDuty's four severities from the rule's. */
  static String severity(String ruleSeverity) {
    String s = ruleSeverity == null ? "" : ruleSeverity.trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "critical" -> "critical";
      case "high" -> "error";
      case "medium" -> "warning";
      default -> "info";
    };
  }

  @Override
  public String redact(String body) {
    return body.replace(routingKey, "[hidden]");
  }
}
