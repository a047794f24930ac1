package dev.webshell.detector.notify;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Opsgenie's Alert API v2 as documented (docs.opsgenie.com, Alert API): {@code Authorization:
 * GenieKey <key>}; create ({@code POST /v2/alerts}): message required, at most 130 characters;
 * alias 512; description 15,000; at most 20 tags of 50 characters; at most 10 actions of 50;
 * details a map of strings, 8,000 characters in all; entity 512; source 100; user 100; note 25,000;
 * priority P1..P5. Add note ({@code POST /v2/alerts/{id}/notes}): note required. Close ({@code POST
 * /v2/alerts/{id}/close}). {@code identifierType} is id, tiny or alias. Accepted requests get 202
 * {@code {"result":"Request will be processed",…}}; invalid ones 422; a wrong key 401.
 */
final class OpsgenieServer extends ContractServer {
  static final Set<String> PRIORITIES = Set.of("P1", "P2", "P3", "P4", "P5");
  final String key;

  OpsgenieServer(String key) {
    this.key = key;
  }

  @Override
  Answer check(Exchange r) {
    if (!("GenieKey " + key).equals(r.header("Authorization"))) {
      return Answer.of(401, "{\"message\":\"Could not authenticate\"}");
    }
    if (!r.method().equals("POST")) {
      return Answer.of(405, "{\"message\":\"method not allowed\"}");
    }
    JsonNode b;
    try {
      b = r.json();
    } catch (RuntimeException x) {
      return invalid("invalid JSON");
    }
    String problem = commonFields(b);
    if (problem != null) {
      return invalid(problem);
    }
    String path = r.path();
    if (path.equals("/v2/alerts")) {
      return create(b);
    }
    if (path.startsWith("/v2/alerts/") && (path.endsWith("/notes") || path.endsWith("/close"))) {
      String type = queryParam(r.query(), "identifierType");
      if (type != null && !Set.of("id", "tiny", "alias").contains(type)) {
        return invalid("identifierType must be id, tiny or alias");
      }
      if (path.endsWith("/notes") && (text(b, "note") == null || text(b, "note").isEmpty())) {
        return invalid("note is required");
      }
      return null;
    }
    return Answer.of(404, "{\"message\":\"not found\"}");
  }

  private static String commonFields(JsonNode b) {
    if (longer(b, "source", 100) || longer(b, "user", 100)) {
      return "source and user are limited to 100 characters";
    }
    if (longer(b, "note", 25_000)) {
      return "note is limited to 25000 characters";
    }
    return null;
  }

  private Answer create(JsonNode b) {
    String message = text(b, "message");
    if (message == null || message.isBlank()) {
      return invalid("message is required");
    }
    if (message.length() > 130) {
      return invalid("message is limited to 130 characters");
    }
    if (longer(b, "alias", 512) || longer(b, "entity", 512)) {
      return invalid("alias and entity are limited to 512 characters");
    }
    if (longer(b, "description", 15_000)) {
      return invalid("description is limited to 15000 characters");
    }
    JsonNode tags = b.get("tags");
    if (tags != null) {
      if (!tags.isArray() || tags.size() > 20) {
        return invalid("at most 20 tags");
      }
      for (JsonNode t : tags) {
        if (!t.isTextual() || t.asText().length() > 50) {
          return invalid("a tag is limited to 50 characters");
        }
      }
    }
    JsonNode actions = b.get("actions");
    if (actions != null && (!actions.isArray() || actions.size() > 10)) {
      return invalid("at most 10 actions");
    }
    JsonNode details = b.get("details");
    if (details != null) {
      if (!details.isObject()) {
        return invalid("details must be a map of strings");
      }
      int size = 0;
      for (Map.Entry<String, JsonNode> e : details.properties()) {
        if (!e.getValue().isTextual()) {
          return invalid("details values must be strings");
        }
        size += e.getKey().length() + e.getValue().asText().length();
      }
      if (size > 8000) {
        return invalid("details are limited to 8000 characters");
      }
    }
    String priority = text(b, "priority");
    if (priority != null && !PRIORITIES.contains(priority)) {
      return invalid("priority must be one of " + PRIORITIES);
    }
    return null;
  }

  private static boolean longer(JsonNode b, String field, int max) {
    String v = text(b, field);
    return v != null && v.length() > max;
  }

  private static String queryParam(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String kv : query.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0 && kv.substring(0, eq).equals(name)) {
        return kv.substring(eq + 1);
      }
    }
    return null;
  }

  private static Answer invalid(String why) {
    return Answer.of(
        422,
        "{\"message\":\"" + why + "\",\"took\":0.001,\"requestId\":\"" + UUID.randomUUID() + "\"}");
  }

  @Override
  Answer accept(Exchange r) {
    return Answer.of(
        202,
        "{\"result\":\"Request will be processed\",\"took\":0.02,\"requestId\":\""
            + UUID.randomUUID()
            + "\"}");
  }
}
