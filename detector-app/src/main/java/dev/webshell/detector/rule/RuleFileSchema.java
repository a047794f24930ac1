package dev.webshell.detector.rule;

import dev.webshell.detector.rule.YamlTree.Kind;
import dev.webshell.detector.rule.YamlTree.Node;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The rule file format ({@code docs/rules.md}) checked against a {@link YamlTree}, one key at a
 * time, the first problem winning: known keys, required keys, types, non-empty lists, durations,
 * ranges. What passes becomes a {@link RuleSpec}.
 */
final class RuleFileSchema {
  static final List<String> SEVERITIES = List.of("Informational", "Low", "Medium", "High");

  private static final List<String> ROOT_KEYS =
      List.of(
          "id",
          "name",
          "version",
          "profile",
          "severity",
          "tactics",
          "techniques",
          "lineage",
          "shells",
          "command",
          "lookback",
          "caps");
  private static final List<String> LINEAGE_KEYS =
      List.of(
          "webServers",
          "webServerPrefixes",
          "conditionalWebServers",
          "ignoreCase",
          "reducePathsToFileNames");
  private static final List<String> CONDITIONAL_KEYS = List.of("fileName", "commandLineHasAny");
  private static final List<String> COMMAND_KEYS = List.of("contains", "has", "hasAll");
  private static final List<String> CAPS_KEYS =
      List.of(
          "maxCommandLines",
          "maxCommandLineLength",
          "maxExactEventsPerCommandLine",
          "maxTrackedCommandLines");

  private final String source;

  RuleFileSchema(String source) {
    this.source = source;
  }

  RuleSpec rule(Node root, String defaultProfile) {
    Map<String, Node> top = mapping(root, ROOT_KEYS);
    Node lineage = required(root, top, "lineage");
    Map<String, Node> lin = mapping(lineage, LINEAGE_KEYS);
    Node command = required(root, top, "command");
    Map<String, Node> cmd = mapping(command, COMMAND_KEYS);
    Node capsNode = top.get("caps");
    Map<String, Node> caps = capsNode == null ? Map.of() : mapping(capsNode, CAPS_KEYS);

    String id = string(required(root, top, "id"));
    String name = string(required(root, top, "name"));
    String version = string(required(root, top, "version"));
    String profile = top.containsKey("profile") ? string(top.get("profile")) : defaultProfile;
    Node severityNode = required(root, top, "severity");
    String severity = string(severityNode);
    if (!SEVERITIES.contains(severity)) {
      throw error(
          severityNode,
          "'severity' must be one of "
              + String.join(", ", SEVERITIES)
              + ", not '"
              + severity
              + "'");
    }
    List<String> tactics = strings(required(root, top, "tactics"));
    List<String> techniques = strings(required(root, top, "techniques"));

    List<String> webServers = optionalStrings(lin.get("webServers"));
    List<String> prefixes = optionalStrings(lin.get("webServerPrefixes"));
    List<ConditionalWebServer> conditional = conditionals(lin.get("conditionalWebServers"));
    if (webServers.isEmpty() && prefixes.isEmpty() && conditional.isEmpty()) {
      throw error(
          lineage,
          "'lineage' needs at least one of webServers, webServerPrefixes, conditionalWebServers");
    }
    boolean ignoreCase = bool(lin.get("ignoreCase"), false);
    boolean reducePaths = bool(lin.get("reducePathsToFileNames"), false);

    List<String> shells = strings(required(root, top, "shells"));

    List<String> contains = optionalStrings(cmd.get("contains"));
    List<String> has = optionalStrings(cmd.get("has"));
    List<List<String>> hasAll = termGroups(cmd.get("hasAll"));
    if (contains.isEmpty() && has.isEmpty() && hasAll.isEmpty()) {
      throw error(command, "'command' needs at least one of contains, has, hasAll");
    }

    Duration lookback = duration(required(root, top, "lookback"));

    int maxCommandLines =
        integer(caps.get("maxCommandLines"), RuleSpec.DEFAULT_MAX_COMMAND_LINES, 1);
    int maxLength =
        integer(caps.get("maxCommandLineLength"), RuleSpec.DEFAULT_MAX_COMMAND_LINE_LENGTH, 16);
    int maxExact =
        integer(
            caps.get("maxExactEventsPerCommandLine"),
            RuleSpec.DEFAULT_MAX_EXACT_EVENTS_PER_COMMAND_LINE,
            1);
    Node trackedNode = caps.get("maxTrackedCommandLines");
    int maxTracked =
        integer(trackedNode, RuleSpec.DEFAULT_MAX_TRACKED_COMMAND_LINES, maxCommandLines);

    try {
      return new RuleSpec(
          id,
          name,
          version,
          profile,
          severity,
          tactics,
          techniques,
          webServers,
          prefixes,
          conditional,
          ignoreCase,
          reducePaths,
          shells,
          contains,
          has,
          hasAll,
          lookback,
          maxCommandLines,
          maxLength,
          maxExact,
          maxTracked);
    } catch (IllegalArgumentException e) {
      // every rule RuleSpec enforces is checked above with a line; this is a safety net
      throw new RuleFileException(source, root.line(), null, e.getMessage(), e);
    }
  }

  private RuleFileException error(Node node, String message) {
    return new RuleFileException(source, node.line(), node.path(), message);
  }

  private RuleFileException wrongType(Node node, String expected) {
    String hint =
        expected.equals(Kind.STRING.text) && node.kind() != Kind.MAPPING && node.kind() != Kind.LIST
            ? " (quote it)"
            : "";
    return error(
        node, "'" + node.path() + "' must be " + expected + ", not " + node.kind().text + hint);
  }

  private Map<String, Node> mapping(Node node, List<String> known) {
    if (node.kind() != Kind.MAPPING) {
      throw wrongType(node, Kind.MAPPING.text);
    }
    for (Map.Entry<String, Node> e : node.mapping().entrySet()) {
      if (!known.contains(e.getKey())) {
        throw error(
            e.getValue(),
            "unknown key '"
                + e.getValue().path()
                + "' (known"
                + (node.path().isEmpty() ? "" : " in '" + node.path() + "'")
                + ": "
                + String.join(", ", known)
                + ")");
      }
    }
    return node.mapping();
  }

  private Node required(Node parent, Map<String, Node> map, String key) {
    Node n = map.get(key);
    if (n == null) {
      String path = parent.path().isEmpty() ? key : parent.path() + "." + key;
      throw new RuleFileException(
          source, parent.line(), path, "missing required key '" + path + "'");
    }
    return n;
  }

  private String string(Node node) {
    if (node.kind() != Kind.STRING) {
      throw wrongType(node, Kind.STRING.text);
    }
    if (node.text().isBlank()) {
      throw error(node, "'" + node.path() + "' must not be blank");
    }
    return node.text();
  }

  private List<Node> list(Node node) {
    if (node.kind() != Kind.LIST) {
      throw wrongType(node, Kind.LIST.text);
    }
    if (node.list().isEmpty()) {
      throw error(
          node,
          "'"
              + node.path()
              + "' is an empty list: give at least one value, or leave the key out where it is"
              + " optional");
    }
    return node.list();
  }

  private List<String> strings(Node node) {
    List<String> out = new ArrayList<>();
    for (Node item : list(node)) {
      out.add(string(item));
    }
    return out;
  }

  private List<String> optionalStrings(Node node) {
    return node == null ? List.of() : strings(node);
  }

  private List<List<String>> termGroups(Node node) {
    if (node == null) {
      return List.of();
    }
    List<List<String>> groups = new ArrayList<>();
    Set<String> distinct = new HashSet<>();
    for (Node groupNode : list(node)) {
      List<String> group = new ArrayList<>();
      for (Node termNode : list(groupNode)) {
        String term = string(termNode);
        if (!AllTermsMatcher.isTerm(term)) {
          throw error(
              termNode,
              "'"
                  + termNode.path()
                  + "' is '"
                  + term
                  + "': a hasAll term is one word of letters and digits ([A-Za-z0-9]),"
                  + " e.g. [net, user]");
        }
        distinct.add(term.toLowerCase(Locale.ROOT));
        if (distinct.size() > AllTermsMatcher.MAX_DISTINCT_TERMS) {
          throw error(
              termNode,
              "'"
                  + node.path()
                  + "' holds more than "
                  + AllTermsMatcher.MAX_DISTINCT_TERMS
                  + " distinct terms");
        }
        group.add(term);
      }
      groups.add(group);
    }
    return groups;
  }

  private List<ConditionalWebServer> conditionals(Node node) {
    if (node == null) {
      return List.of();
    }
    List<ConditionalWebServer> out = new ArrayList<>();
    for (Node item : list(node)) {
      Map<String, Node> m = mapping(item, CONDITIONAL_KEYS);
      out.add(
          new ConditionalWebServer(
              string(required(item, m, "fileName")),
              strings(required(item, m, "commandLineHasAny"))));
    }
    return out;
  }

  private boolean bool(Node node, boolean defaultValue) {
    if (node == null) {
      return defaultValue;
    }
    if (node.kind() != Kind.BOOLEAN) {
      throw wrongType(node, Kind.BOOLEAN.text);
    }
    return Boolean.parseBoolean(node.text().toLowerCase(Locale.ROOT));
  }

  private int integer(Node node, int defaultValue, int min) {
    if (node == null) {
      return Math.max(defaultValue, min);
    }
    if (node.kind() != Kind.INTEGER) {
      throw wrongType(node, Kind.INTEGER.text);
    }
    long v;
    try {
      v = node.bigInteger() ? Long.MAX_VALUE : Long.parseLong(node.text().replace("_", ""));
    } catch (NumberFormatException e) {
      throw wrongType(node, Kind.INTEGER.text);
    }
    if (v < min || v > Integer.MAX_VALUE) {
      throw error(
          node,
          "'"
              + node.path()
              + "' is "
              + node.text()
              + ": must be between "
              + min
              + " and "
              + Integer.MAX_VALUE);
    }
    return (int) v;
  }

  private Duration duration(Node node) {
    if (node.kind() != Kind.STRING) {
      throw error(
          node,
          "'"
              + node.path()
              + "' must be a duration such as 7d, 168h or P7D, not "
              + node.kind().text);
    }
    Duration d = parseDuration(node.text().trim());
    if (d == null) {
      throw error(
          node,
          "'"
              + node.path()
              + "' is a bad duration '"
              + node.text()
              + "' (use 7d, 168h, 30m, 90s or ISO-8601 such as P7D, PT168H)");
    }
    if (d.isZero() || d.isNegative()) {
      throw error(node, "'" + node.path() + "' must be positive, not '" + node.text() + "'");
    }
    return d;
  }

  /**
   * {@code 7d}, {@code 168h}, {@code 30m}, {@code 90s} (a whole number and one unit), or ISO-8601
   * ({@code P7D}, {@code PT168H}, {@code P1DT12H}); {@code null} when it is neither.
   */
  static Duration parseDuration(String text) {
    if (text.isEmpty()) {
      return null;
    }
    char first = text.charAt(0);
    if (first == 'P' || first == 'p' || first == '-' || first == '+') {
      try {
        return Duration.parse(text);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    char unit = Character.toLowerCase(text.charAt(text.length() - 1));
    String digits = text.substring(0, text.length() - 1);
    if (digits.isEmpty() || digits.length() > 9) {
      return null;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return null;
      }
    }
    long n = Long.parseLong(digits);
    return switch (unit) {
      case 'd' -> Duration.ofDays(n);
      case 'h' -> Duration.ofHours(n);
      case 'm' -> Duration.ofMinutes(n);
      case 's' -> Duration.ofSeconds(n);
      default -> null;
    };
  }
}
