package dev.webshell.detector.siem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a document against the ECS field definitions extracted into {@code
 * src/test/resources/ecs/} (see the README there): every leaf is an ECS field of the right type
 * (keyword, wildcard and text as strings, long, float, date as ISO-8601, boolean), arrays where ECS
 * normalizes to an array and only there, allowed values ({@code event.kind}, {@code
 * event.category}, {@code event.type}) with each {@code event.type} expected for each {@code
 * event.category}, and the fields Elastic Security requires of every event and of process and host
 * data. Fields under the one custom field set given are not checked, but that name must not be an
 * ECS field set.
 */
final class EcsValidator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> ALWAYS_REQUIRED =
      List.of("@timestamp", "ecs.version", "event.kind", "event.category", "event.type");

  private final JsonNode facts;

  private EcsValidator(JsonNode facts) {
    this.facts = facts;
  }

  static EcsValidator load(String resource) {
    try (InputStream in = EcsValidator.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no resource " + resource);
      }
      return new EcsValidator(JSON.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String version() {
    return facts.get("ecs_version").asText();
  }

  List<String> validate(JsonNode doc, String customFieldSet) {
    List<String> problems = new ArrayList<>();
    for (JsonNode set : facts.get("field_sets")) {
      if (set.asText().equals(customFieldSet)) {
        problems.add(customFieldSet + ": is an ECS field set, not free for custom fields");
      }
    }
    Map<String, JsonNode> leaves = new LinkedHashMap<>();
    flatten("", doc, leaves);
    JsonNode fields = facts.get("fields");
    for (Map.Entry<String, JsonNode> leaf : leaves.entrySet()) {
      String name = leaf.getKey();
      if (name.startsWith(customFieldSet + ".")) {
        continue;
      }
      JsonNode field = fields.get(name);
      if (field == null) {
        problems.add(name + ": not an ECS " + version() + " field");
        continue;
      }
      checkField(name, leaf.getValue(), field, problems);
    }
    List<String> required = new ArrayList<>(ALWAYS_REQUIRED);
    if (leaves.keySet().stream().anyMatch(k -> k.startsWith("process."))) {
      required.addAll(List.of("process.name", "process.pid"));
    }
    if (leaves.keySet().stream().anyMatch(k -> k.startsWith("host."))) {
      required.addAll(List.of("host.name", "host.id"));
    }
    for (String r : required) {
      if (!leaves.containsKey(r)) {
        problems.add(r + ": required by Elastic Security but missing");
      }
    }
    JsonNode categories = leaves.get("event.category");
    JsonNode types = leaves.get("event.type");
    JsonNode expected = fields.path("event.category").path("expected_event_types");
    if (categories != null && types != null) {
      for (JsonNode c : categories) {
        for (JsonNode t : types) {
          boolean fits = false;
          for (JsonNode e : expected.path(c.asText())) {
            fits |= e.asText().equals(t.asText());
          }
          if (!fits) {
            problems.add(
                "event.type: '" + t.asText() + "' is not expected for category " + c.asText());
          }
        }
      }
    }
    return problems;
  }

  /** Dotted names of every non-object value; arrays are leaves. */
  private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> out) {
    for (Map.Entry<String, JsonNode> f : node.properties()) {
      String name = prefix + f.getKey();
      if (f.getValue().isObject()) {
        flatten(name + ".", f.getValue(), out);
      } else {
        out.put(name, f.getValue());
      }
    }
  }

  private static void checkField(
      String name, JsonNode value, JsonNode field, List<String> problems) {
    boolean array = field.path("array").asBoolean(false);
    if (value.isArray() != array) {
      problems.add(name + (array ? ": must be an array" : ": must not be an array"));
      return;
    }
    List<JsonNode> values = new ArrayList<>();
    if (value.isArray()) {
      value.forEach(values::add);
    } else {
      values.add(value);
    }
    String type = field.get("type").asText();
    for (JsonNode v : values) {
      boolean ok =
          switch (type) {
            case "keyword", "wildcard", "match_only_text", "text", "constant_keyword" ->
                v.isTextual();
            case "long" -> v.isIntegralNumber() && v.canConvertToLong();
            case "float", "scaled_float", "double" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "date" -> v.isTextual() && isIsoTime(v.asText());
            default -> false;
          };
      if (!ok) {
        problems.add(name + ": " + v + " is not a valid " + type);
      }
      JsonNode allowed = field.get("allowed_values");
      if (allowed != null) {
        boolean in = false;
        for (JsonNode a : allowed) {
          in |= a.asText().equals(v.asText());
        }
        if (!in) {
          problems.add(name + ": '" + v.asText() + "' is not one of " + allowed);
        }
      }
      JsonNode expectedValues = field.get("expected_values");
      if (expectedValues != null) {
        boolean in = false;
        for (JsonNode a : expectedValues) {
          in |= a.asText().equals(v.asText());
        }
        if (!in) {
          problems.add(name + ": '" + v.asText() + "' is not one of " + expectedValues);
        }
      }
    }
  }

  private static boolean isIsoTime(String s) {
    try {
      OffsetDateTime.parse(s);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
