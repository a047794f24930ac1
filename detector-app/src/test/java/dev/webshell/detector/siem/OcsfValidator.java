package dev.webshell.detector.siem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks an event against the published OCSF definition of its class, as extracted into {@code
 * src/test/resources/ocsf/} (see the README there): every attribute is one the class or object
 * defines (outside {@code unmapped}), none deprecated, every required one present (profile
 * attributes only when {@code metadata.profiles} lists the profile), types (string, integer, long,
 * boolean, object, array; maximum lengths, patterns and ranges of the derived types), enumerations
 * and their captions in the sibling attribute, the objects' {@code at_least_one} and {@code
 * just_one} constraints, and {@code type_uid = class_uid * 100 + activity_id}.
 */
final class OcsfValidator {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode facts;

  private OcsfValidator(JsonNode facts) {
    this.facts = facts;
  }

  static OcsfValidator load(String resource) {
    try (InputStream in = OcsfValidator.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no resource " + resource);
      }
      return new OcsfValidator(JSON.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String version() {
    return facts.get("ocsf_version").asText();
  }

  /** The problems found; empty when the event follows the class definition. */
  List<String> validate(JsonNode event) {
    List<String> problems = new ArrayList<>();
    if (!event.isObject()) {
      problems.add("the event is not a JSON object");
      return problems;
    }
    Set<String> profiles = new HashSet<>();
    JsonNode listed = event.path("metadata").path("profiles");
    listed.forEach(p -> profiles.add(p.asText()));
    JsonNode classDef = facts.get("class");
    checkObject("", event, classDef, profiles, problems);
    if (event.path("class_uid").asInt(-1) != classDef.get("uid").asInt()) {
      problems.add("class_uid: must be " + classDef.get("uid").asInt());
    }
    long expectedType =
        event.path("class_uid").asLong() * 100 + event.path("activity_id").asLong(-1000);
    if (event.path("type_uid").asLong(-1) != expectedType) {
      problems.add("type_uid: must be class_uid * 100 + activity_id = " + expectedType);
    }
    return problems;
  }

  private void checkObject(
      String path, JsonNode node, JsonNode def, Set<String> profiles, List<String> problems) {
    JsonNode attributes = def.get("attributes");
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String name = field.getKey();
      String at = path + name;
      JsonNode attr = attributes.get(name);
      if (attr == null) {
        problems.add(at + ": not an attribute of this class or object");
        continue;
      }
      if (attr.has("profile") && !profiles.contains(attr.get("profile").asText())) {
        problems.add(
            at
                + ": belongs to profile '"
                + attr.get("profile").asText()
                + "', which metadata.profiles does not list");
      }
      if (attr.path("deprecated").asBoolean(false)) {
        problems.add(at + ": deprecated");
      }
      JsonNode value = field.getValue();
      if (value.isNull()) {
        problems.add(at + ": null (leave the attribute out instead)");
        continue;
      }
      if (attr.path("is_array").asBoolean(false)) {
        if (!value.isArray()) {
          problems.add(at + ": must be an array");
          continue;
        }
        for (int i = 0; i < value.size(); i++) {
          checkValue(at + "[" + i + "]", value.get(i), attr, profiles, problems);
        }
      } else {
        if (value.isArray()) {
          problems.add(at + ": must not be an array");
          continue;
        }
        checkValue(at, value, attr, profiles, problems);
      }
      if (attr.has("enum") && value.isIntegralNumber()) {
        checkEnum(path, name, node, attr, problems);
      }
    }
    for (Map.Entry<String, JsonNode> a : attributes.properties()) {
      boolean applies =
          !a.getValue().has("profile") || profiles.contains(a.getValue().get("profile").asText());
      if (applies
          && "required".equals(a.getValue().get("requirement").asText())
          && !node.has(a.getKey())) {
        problems.add(path + a.getKey() + ": required but missing");
      }
    }
    JsonNode constraints = def.get("constraints");
    if (constraints != null) {
      JsonNode atLeastOne = constraints.get("at_least_one");
      if (atLeastOne != null && count(node, atLeastOne) == 0) {
        problems.add(path + "*: needs at least one of " + atLeastOne);
      }
      JsonNode justOne = constraints.get("just_one");
      if (justOne != null && count(node, justOne) != 1) {
        problems.add(path + "*: needs exactly one of " + justOne);
      }
    }
  }

  private static int count(JsonNode node, JsonNode names) {
    int n = 0;
    for (JsonNode name : names) {
      if (node.has(name.asText())) {
        n++;
      }
    }
    return n;
  }

  private static void checkEnum(
      String path, String name, JsonNode node, JsonNode attr, List<String> problems) {
    String key = node.get(name).asText();
    JsonNode caption = attr.get("enum").get(key);
    if (caption == null) {
      problems.add(path + name + ": " + key + " is not one of " + attr.get("enum"));
      return;
    }
    if (!attr.has("sibling")) {
      return;
    }
    String sibling = attr.get("sibling").asText();
    JsonNode siblingValue = node.get(sibling);
    if ("99".equals(key)) {
      if (siblingValue == null || siblingValue.asText().isBlank()) {
        problems.add(path + sibling + ": must name the source's value when " + name + " is 99");
      }
    } else if (siblingValue != null && !caption.asText().equals(siblingValue.asText())) {
      problems.add(
          path
              + sibling
              + ": must be the caption '"
              + caption.asText()
              + "' of "
              + name
              + " "
              + key);
    }
  }

  private void checkValue(
      String at, JsonNode value, JsonNode attr, Set<String> profiles, List<String> problems) {
    String type = attr.get("type").asText();
    if (facts.get("types").has(type)) {
      checkScalar(at, value, type, problems);
    } else if ("object".equals(type)) {
      if (!value.isObject()) {
        problems.add(at + ": must be an object");
      }
    } else {
      JsonNode objectDef = facts.get("objects").get(type);
      if (objectDef == null) {
        problems.add(at + ": object type '" + type + "' is not among the extracted facts");
      } else if (!value.isObject()) {
        problems.add(at + ": must be an object (" + type + ")");
      } else {
        checkObject(at + ".", value, objectDef, profiles, problems);
      }
    }
  }

  private void checkScalar(String at, JsonNode value, String typeName, List<String> problems) {
    JsonNode types = facts.get("types");
    String base = typeName;
    List<JsonNode> chain = new ArrayList<>();
    while (true) {
      JsonNode t = types.get(base);
      chain.add(t);
      if (t == null || !t.has("type")) {
        break;
      }
      base = t.get("type").asText();
    }
    boolean ok =
        switch (base) {
          case "string_t" -> value.isTextual();
          case "integer_t" -> value.isIntegralNumber() && value.canConvertToInt();
          case "long_t" -> value.isIntegralNumber() && value.canConvertToLong();
          case "float_t" -> value.isNumber();
          case "boolean_t" -> value.isBoolean();
          case "json_t" -> true;
          default -> false;
        };
    if (!ok) {
      problems.add(at + ": " + value.getNodeType() + " is not a " + typeName);
      return;
    }
    for (JsonNode t : chain) {
      if (t == null) {
        continue;
      }
      if (t.has("max_len")
          && value.isTextual()
          && value.asText().length() > t.get("max_len").asInt()) {
        problems.add(at + ": longer than " + t.get("max_len").asInt() + " (" + typeName + ")");
      }
      if (t.has("regex")
          && value.isTextual()
          && !Pattern.compile(t.get("regex").asText()).matcher(value.asText()).find()) {
        problems.add(at + ": '" + value.asText() + "' does not match " + typeName);
      }
      if (t.has("range") && value.isNumber()) {
        long v = value.asLong();
        if (v < t.get("range").get(0).asLong() || v > t.get("range").get(1).asLong()) {
          problems.add(at + ": " + v + " outside " + t.get("range") + " (" + typeName + ")");
        }
      }
    }
  }
}
