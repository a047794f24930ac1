package dev.webshell.detector.rule;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Rule files: the rule's metadata, lists, lookback and caps in YAML, so an operator can tune them
 * without rebuilding. The format is in {@code docs/rules.md}; the built-in profiles are {@code
 * rules/kql.yaml} (the query exactly) and {@code rules/hardened.yaml} on the classpath.
 *
 * <p>Every problem is reported as ONE {@link RuleFileException} line naming the file, the line and
 * the key: an unknown key, a missing required key, a value of the wrong type, an empty list, a bad
 * duration, a value out of range.
 */
public final class RuleFiles {
  /** The profile used when none is named. */
  public static final String DEFAULT_PROFILE = "kql";

  private static final Map<String, String> PROFILES = new LinkedHashMap<>();

  static {
    PROFILES.put(
        "kql", "(default) the Sentinel/Defender query exactly, blind spots included (SPEC 2)");
    PROFILES.put(
        "hardened",
        "the same rule with its blind spots closed: case-insensitive lineage, paths reduced to"
            + " file names, more web servers, shells and discovery/download tokens"
            + " (docs/rules.md)");
  }

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

  private RuleFiles() {}

  /** The built-in profiles, name to one-line description, the default first. */
  public static Map<String, String> profiles() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(PROFILES));
  }

  /** The built-in profile names, the default first: {@code [kql, hardened]}. */
  public static List<String> profileNames() {
    return List.copyOf(PROFILES.keySet());
  }

  /** A listing for {@code --help} and error messages: one line per profile. */
  public static String describeProfiles() {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> e : PROFILES.entrySet()) {
      out.append(String.format(Locale.ROOT, "  %-9s %s%n", e.getKey(), e.getValue()));
    }
    return out.toString();
  }

  /**
   * A built-in profile ({@code kql} or {@code hardened}), read from {@code rules/<profile>.yaml} on
   * the classpath.
   *
   * @throws IllegalArgumentException for an unknown profile, listing the available ones
   */
  public static RuleSpec builtIn(String profile) {
    if (profile == null || !PROFILES.containsKey(profile)) {
      throw new IllegalArgumentException(
          "unknown profile '"
              + profile
              + "' (available: "
              + String.join(", ", PROFILES.keySet())
              + "; or a rule file with --rules)");
    }
    String resource = "rules/" + profile + ".yaml";
    InputStream in = RuleFiles.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException("built-in rule file missing from the classpath: " + resource);
    }
    try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return parse(resource, profile, reader);
    } catch (IOException e) {
      throw new RuleFileException(resource, 0, null, "cannot read: " + e, e);
    }
  }

  /**
   * Reads and validates a rule file. A file without {@code profile} gets its file name without
   * extension as profile ({@code my-rules.yaml} gives {@code my-rules}).
   *
   * @throws RuleFileException naming the file, line and key of the first problem
   */
  public static RuleSpec load(Path file) {
    String source = file.toString();
    String stem = file.getFileName() == null ? source : file.getFileName().toString();
    int dot = stem.lastIndexOf('.');
    if (dot > 0) {
      stem = stem.substring(0, dot);
    }
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(source, stem, reader);
    } catch (IOException e) {
      throw new RuleFileException(source, 0, null, "cannot read the rule file: " + e, e);
    }
  }

  /** Parses rule YAML from {@code reader}; {@code source} names it in errors. */
  public static RuleSpec parse(String source, String defaultProfile, Reader reader)
      throws IOException {
    Node root;
    YAMLFactory factory = new YAMLFactory();
    try (JsonParser p = factory.createParser(reader)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new RuleFileException(source, 1, null, "empty rule file");
      }
      root = read(source, p, "");
      if (p.nextToken() != null) {
        throw new RuleFileException(
            source, line(p), null, "more than one YAML document: a rule file holds one rule");
      }
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new RuleFileException(
          source,
          line,
          null,
          "not valid YAML: " + e.getOriginalMessage().replaceAll("\\s+", " ").trim(),
          e);
    }
    return new Reading(source).rule(root, defaultProfile);
  }

  // ---------------------------------------------------------------------------------------------
  // A tiny YAML tree that remembers lines (Jackson's tree model does not).

  private enum Kind {
    MAPPING("a mapping"),
    LIST("a list"),
    STRING("a string"),
    INTEGER("an integer"),
    NUMBER("a number"),
    BOOLEAN("true or false"),
    NULL("nothing");

    final String text;

    Kind(String text) {
      this.text = text;
    }
  }

  /** A value and the line it starts on; {@code path} is its dotted key path. */
  private record Node(
      Kind kind,
      int line,
      String path,
      String text,
      Map<String, Node> mapping,
      List<Node> list,
      boolean bigInteger) {}

  private static int line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }

  private static Node read(String source, JsonParser p, String path) throws IOException {
    int line = line(p);
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        Map<String, Node> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          int keyLine = line(p);
          String keyPath = path.isEmpty() ? key : path + "." + key;
          p.nextToken();
          Node value = read(source, p, keyPath);
          if (map.containsKey(key)) {
            throw new RuleFileException(
                source,
                keyLine,
                keyPath,
                "duplicate key '" + keyPath + "' (first on line " + map.get(key).line() + ")");
          }
          // a mapping entry is reported on its key's line, wherever its value starts
          map.put(key, withLine(value, keyLine));
        }
        return new Node(Kind.MAPPING, line, path, null, map, null, false);
      }
      case START_ARRAY -> {
        List<Node> list = new ArrayList<>();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(read(source, p, path + "[" + i++ + "]"));
        }
        return new Node(Kind.LIST, line, path, null, null, list, false);
      }
      case VALUE_STRING -> {
        return new Node(Kind.STRING, line, path, p.getText(), null, null, false);
      }
      case VALUE_NUMBER_INT -> {
        boolean big = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER;
        return new Node(Kind.INTEGER, line, path, p.getText(), null, null, big);
      }
      case VALUE_NUMBER_FLOAT -> {
        return new Node(Kind.NUMBER, line, path, p.getText(), null, null, false);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new Node(Kind.BOOLEAN, line, path, p.getText(), null, null, false);
      }
      case VALUE_NULL -> {
        return new Node(Kind.NULL, line, path, null, null, null, false);
      }
      default ->
          throw new RuleFileException(
              source, line, path, "unsupported YAML value at '" + path + "': " + t);
    }
  }

  private static Node withLine(Node n, int line) {
    return new Node(n.kind(), line, n.path(), n.text(), n.mapping(), n.list(), n.bigInteger());
  }

  // ---------------------------------------------------------------------------------------------
  // Validation: the schema, one key at a time, first problem wins.

  private static final class Reading {
    private final String source;

    Reading(String source) {
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
          expected.equals(Kind.STRING.text)
                  && node.kind() != Kind.MAPPING
                  && node.kind() != Kind.LIST
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
