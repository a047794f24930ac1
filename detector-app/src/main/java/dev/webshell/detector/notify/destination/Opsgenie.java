package dev.webshell.detector.notify.destination;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.siem.AlertSummary;
import dev.webshell.schema.WebShellAlert;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Opsgenie Alert API v2: trigger = create alert ({@code POST /v2/alerts}, alias = alertId), update
 * = add a note ({@code POST /v2/alerts/{alias}/notes?identifierType=alias}), resolve = close
 * ({@code POST /v2/alerts/{alias}/close?identifierType=alias}); {@code Authorization: GenieKey}.
 * Limits kept: message 130, alias 512, description 15,000, entity 512, source 100, user 100, note
 * 25,000 characters, 20 tags of 50, details 8,000 characters in all.
 */
public final class Opsgenie implements Destination {
  public static final String DEFAULT_URL = "https://api.opsgenie.com";
  static final int MAX_MESSAGE = 130;
  static final int MAX_DESCRIPTION = 15_000;
  static final int MAX_NOTE = 25_000;
  static final int MAX_TAGS = 20;
  static final int MAX_TAG = 50;
  static final int MAX_DETAILS = 8_000;
  static final String SOURCE = "web-shell-detector";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final String apiKey;
  private final Duration timeout;

  /**
   * @param base the API's root, e.g. {@code https://api.opsgenie.com} or the EU one
   */
  public Opsgenie(URI base, String apiKey, Duration timeout) {
    String s = base.toString();
    this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    this.apiKey = apiKey;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "opsgenie";
  }

  @Override
  public Request request(Notification n) {
    WebShellAlert a = n.alert();
    String alias = URLEncoder.encode(a.getAlertId(), StandardCharsets.UTF_8);
    URI uri;
    ObjectNode body;
    switch (n.action()) {
      case TRIGGER -> {
        uri = URI.create(base + "/v2/alerts");
        body = create(a);
      }
      case UPDATE -> {
        uri = URI.create(base + "/v2/alerts/" + alias + "/notes?identifierType=alias");
        body = JSON.createObjectNode();
        body.put("source", SOURCE);
        body.put("note", Texts.cut(note(a), MAX_NOTE));
      }
      case RESOLVE -> {
        uri = URI.create(base + "/v2/alerts/" + alias + "/close?identifierType=alias");
        body = JSON.createObjectNode();
        body.put("source", SOURCE);
        body.put("note", Texts.cut(note(a), MAX_NOTE));
      }
      default -> throw new IllegalArgumentException(n.action().toString());
    }
    return Request.post(
        Request.json(uri, timeout).header("Authorization", "GenieKey " + apiKey), body.toString());
  }

  private static ObjectNode create(WebShellAlert a) {
    ObjectNode b = JSON.createObjectNode();
    b.put("message", Texts.cut(AlertSummary.headline(a), MAX_MESSAGE));
    b.put("alias", a.getAlertId());
    b.put("description", description(a));
    ArrayNode tags = b.putArray("tags");
    for (String tag : tags(a)) {
      tags.add(tag);
    }
    ObjectNode details = b.putObject("details");
    details(a).forEach(details::put);
    b.put("entity", Texts.cut(AlertSummary.device(a), 512));
    b.put("source", SOURCE);
    b.put("priority", priority(a.getSeverity()));
    return b;
  }

  private static String description(WebShellAlert a) {
    String head = AlertSummary.summary(a) + "\n\nCommand lines:\n";
    return head
        + Texts.lines(
            a.getCommandLines(), a.getCommandLineCount(), 2_000, MAX_DESCRIPTION - head.length());
  }

  private static String note(WebShellAlert a) {
    String head = AlertSummary.summary(a) + "\n\nCommand lines:\n";
    return head + Texts.lines(a.getCommandLines(), a.getCommandLineCount(), 4_000, 20_000);
  }

  static Set<String> tags(WebShellAlert a) {
    Set<String> tags = new LinkedHashSet<>();
    tags.add("web-shell");
    tags.add("profile:" + a.getProfile());
    for (String t : a.getTactics()) {
      tags.add("tactic:" + t);
    }
    for (String t : a.getTechniques()) {
      tags.add(t);
    }
    Set<String> kept = new LinkedHashSet<>();
    for (String t : tags) {
      if (kept.size() < MAX_TAGS) {
        kept.add(Texts.cut(t, MAX_TAG));
      }
    }
    return kept;
  }

  /** Key-value details, within 8,000 characters counting keys and values. */
  static Map<String, String> details(WebShellAlert a) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("alertId", a.getAlertId());
    all.put("revision", Integer.toString(a.getRevision()));
    all.put("deviceId", a.getDeviceId());
    if (a.getDeviceName() != null) {
      all.put("deviceName", a.getDeviceName());
    }
    all.put("lineage", AlertSummary.lineage(a));
    all.put("firstSeen", Timestamps.format(a.getFirstSeen()));
    all.put("lastSeen", Timestamps.format(a.getLastSeen()));
    all.put("matchCount", Long.toString(a.getMatchCount()));
    all.put("commandLineCount", Integer.toString(a.getCommandLineCount()));
    all.put("ruleId", a.getRuleId());
    all.put("ruleName", a.getRuleName());
    all.put("ruleVersion", a.getRuleVersion());
    Map<String, String> kept = new LinkedHashMap<>();
    int used = 0;
    for (Map.Entry<String, String> e : all.entrySet()) {
      String v = Texts.cut(e.getValue(), 1_000);
      int size = e.getKey().length() + v.length();
      if (used + size <= MAX_DETAILS) {
        kept.put(e.getKey(), v);
        used += size;
      }
    }
    return kept;
  }

  /** P1 (critical) to P5 (informational) from the rule's severity. */
  static String priority(String ruleSeverity) {
    String s = ruleSeverity == null ? "" : ruleSeverity.trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "critical" -> "P1";
      case "high" -> "P2";
      case "medium" -> "P3";
      case "low" -> "P4";
      default -> "P5";
    };
  }
}
