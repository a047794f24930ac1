package dev.webshell.detector.notify;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * PagerDuty's Events API v2 as documented (developer.pagerduty.com, "Send an Alert Event" and the
 * Events API v2 overview): {@code POST /v2/enqueue} with a JSON body of at most 512 KB; {@code
 * routing_key} (32 characters) and {@code event_action} (trigger, acknowledge, resolve) required;
 * {@code dedup_key} at most 255 characters; a trigger needs {@code payload.summary} (at most 1024
 * characters), {@code payload.source} and {@code payload.severity} (critical, error, warning,
 * info); an invalid event gets 400, a valid one 202. It also keeps PagerDuty's alert semantics per
 * dedup key: a trigger opens an alert or adds to the open one; a resolve closes it; a trigger after
 * a resolve opens a <em>new</em> alert, which is what notify must never cause.
 */
final class PagerDutyServer extends ContractServer {
  static final Set<String> ACTIONS = Set.of("trigger", "acknowledge", "resolve");
  static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");

  /** Alerts opened per dedup key, and those opened again after a resolve. */
  final Map<String, AtomicInteger> opened = new ConcurrentHashMap<>();

  final Map<String, AtomicInteger> reopenedAfterResolve = new ConcurrentHashMap<>();
  final Map<String, Boolean> open = new ConcurrentHashMap<>();
  final Set<String> everResolved = ConcurrentHashMap.newKeySet();

  @Override
  Answer check(Exchange r) {
    if (!r.method().equals("POST") || !r.path().equals("/v2/enqueue")) {
      return Answer.of(404, "{\"status\":\"not found\"}");
    }
    if (r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 512 * 1024) {
      return invalid("payload larger than 512 KB");
    }
    String type = r.header("Content-Type");
    if (type == null || !type.startsWith("application/json")) {
      return invalid("Content-Type must be application/json");
    }
    JsonNode e;
    try {
      e = r.json();
    } catch (RuntimeException x) {
      return invalid("invalid JSON");
    }
    String key = text(e, "routing_key");
    if (key == null || key.length() != 32) {
      return invalid("routing_key must be a 32 character integration key");
    }
    String action = text(e, "event_action");
    if (action == null || !ACTIONS.contains(action)) {
      return invalid("event_action must be one of " + ACTIONS);
    }
    String dedup = text(e, "dedup_key");
    if (dedup != null && dedup.length() > 255) {
      return invalid("dedup_key longer than 255");
    }
    if (!action.equals("trigger")) {
      return dedup == null ? invalid("dedup_key is required to " + action) : null;
    }
    JsonNode p = e.get("payload");
    if (p == null || !p.isObject()) {
      return invalid("payload is required");
    }
    String summary = text(p, "summary");
    if (summary == null || summary.isBlank()) {
      return invalid("payload.summary is required");
    }
    if (summary.length() > 1024) {
      return invalid("payload.summary longer than 1024");
    }
    String source = text(p, "source");
    if (source == null || source.isBlank()) {
      return invalid("payload.source is required");
    }
    String severity = text(p, "severity");
    if (severity == null || !SEVERITIES.contains(severity)) {
      return invalid("payload.severity must be one of " + SEVERITIES);
    }
    String timestamp = text(p, "timestamp");
    if (timestamp != null) {
      try {
        OffsetDateTime.parse(timestamp);
      } catch (DateTimeParseException x) {
        return invalid("payload.timestamp is not ISO 8601");
      }
    }
    JsonNode details = p.get("custom_details");
    if (details != null && !details.isObject()) {
      return invalid("payload.custom_details must be an object");
    }
    return null;
  }

  private static Answer invalid(String why) {
    return Answer.of(
        400,
        "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":[\""
            + why
            + "\"]}");
  }

  @Override
  synchronized Answer accept(Exchange r) {
    JsonNode e = r.json();
    String dedup = text(e, "dedup_key");
    String action = text(e, "event_action");
    if (action.equals("trigger")) {
      if (!open.getOrDefault(dedup, false)) {
        opened.computeIfAbsent(dedup, k -> new AtomicInteger()).incrementAndGet();
        if (everResolved.contains(dedup)) {
          reopenedAfterResolve.computeIfAbsent(dedup, k -> new AtomicInteger()).incrementAndGet();
        }
        open.put(dedup, true);
      }
    } else if (action.equals("resolve")) {
      if (open.getOrDefault(dedup, false)) {
        everResolved.add(dedup);
      }
      open.put(dedup, false);
    }
    return Answer.of(
        202,
        "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"" + dedup + "\"}");
  }

  /** The accepted event actions for one dedup key, in order. */
  List<String> actions(String dedup) {
    return accepted().stream()
        .filter(x -> dedup.equals(text(x.json(), "dedup_key")))
        .map(x -> text(x.json(), "event_action"))
        .toList();
  }
}
