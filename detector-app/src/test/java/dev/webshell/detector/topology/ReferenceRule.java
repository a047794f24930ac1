package dev.webshell.detector.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The predicate of SPEC section 2 for one profile, written independently of the production rule:
 * regular expressions and whole-string lower-casing where the detector compares in place. The
 * {@code kql} profile's lists are SPEC 2's text; other profiles read their lists from the rule file
 * (they are configuration, SPEC 3), but never through the production parser, and the operators stay
 * the ones docs/rules.md and docs/semantics.md (item 12) describe.
 */
final class ReferenceRule {
  static final Path HARDENED_YAML = Path.of("src/main/resources/rules/hardened.yaml");

  /** {@code InitiatingProcessFileName} that is a web server only with one of these terms. */
  record Conditional(String fileName, List<String> commandLineHasAny) {}

  final String id;
  final String name;
  final String version;
  final String profile;
  final String severity;
  final List<String> tactics;
  final List<String> techniques;
  final List<String> webServers;
  final List<String> webServerPrefixes;
  final List<Conditional> conditionalWebServers;
  final boolean ignoreCase;
  final boolean reducePaths;
  final List<String> shells;
  final List<String> contains;
  final List<String> has;
  final List<List<String>> hasAll;

  private ReferenceRule(
      String id,
      String name,
      String version,
      String profile,
      String severity,
      List<String> tactics,
      List<String> techniques,
      List<String> webServers,
      List<String> webServerPrefixes,
      List<Conditional> conditionalWebServers,
      boolean ignoreCase,
      boolean reducePaths,
      List<String> shells,
      List<String> contains,
      List<String> has,
      List<List<String>> hasAll) {
    this.id = id;
    this.name = name;
    this.version = version;
    this.profile = profile;
    this.severity = severity;
    this.tactics = tactics;
    this.techniques = techniques;
    this.webServers = webServers;
    this.webServerPrefixes = webServerPrefixes;
    this.conditionalWebServers = conditionalWebServers;
    this.ignoreCase = ignoreCase;
    this.reducePaths = reducePaths;
    this.shells = shells;
    this.contains = contains;
    this.has = has;
    this.hasAll = hasAll;
  }

  /** SPEC sections 1 and 2, copied from its text; version 1.0.0 is the kql rule file's. */
  static ReferenceRule kql() {
    return new ReferenceRule(
        "fa2f7d8a-6726-465a-aa72-6f6e3d4c99d7",
        "Detect suspicious commands initiated by web server processes",
        "1.0.0",
        "kql",
        "High",
        List.of("Execution", "DefenseEvasion", "Discovery"),
        List.of("T1059", "T1574", "T1087", "T1082"),
        List.of("w3wp.exe", "beasvc.exe", "httpd.exe"),
        List.of("tomcat"),
        List.of(),
        false,
        false,
        List.of("cmd.exe", "powershell.exe"),
        List.of("%temp%"),
        List.of("wget", "whoami", "certutil", "systeminfo", "ping", "ipconfig", "timeout"),
        List.of());
  }

  /** The built-in hardened profile, its lists read from the rule file as YAML. */
  static ReferenceRule hardened() {
    return fromYaml(HARDENED_YAML);
  }

  static ReferenceRule fromYaml(Path file) {
    JsonNode y;
    try {
      y = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JsonNode lineage = y.path("lineage");
    JsonNode command = y.path("command");
    List<Conditional> conditional = new ArrayList<>();
    for (JsonNode c : lineage.path("conditionalWebServers")) {
      conditional.add(
          new Conditional(c.get("fileName").asText(), strings(c.get("commandLineHasAny"))));
    }
    List<List<String>> hasAll = new ArrayList<>();
    for (JsonNode group : command.path("hasAll")) {
      hasAll.add(strings(group));
    }
    return new ReferenceRule(
        y.get("id").asText(),
        y.get("name").asText(),
        y.get("version").asText(),
        y.get("profile").asText(),
        y.get("severity").asText(),
        strings(y.get("tactics")),
        strings(y.get("techniques")),
        strings(lineage.get("webServers")),
        strings(lineage.get("webServerPrefixes")),
        conditional,
        lineage.path("ignoreCase").asBoolean(false),
        lineage.path("reducePathsToFileNames").asBoolean(false),
        strings(y.get("shells")),
        strings(command.get("contains")),
        strings(command.get("has")),
        hasAll);
  }

  private static List<String> strings(JsonNode list) {
    List<String> out = new ArrayList<>();
    if (list != null) {
      list.forEach(n -> out.add(n.asText()));
    }
    return List.copyOf(out);
  }

  /**
   * What the alertId is derived from: the rule id for kql (SPEC 4), the id and the profile for
   * every other rule (docs/semantics.md item 5).
   */
  String alertIdentity() {
    return "kql".equals(profile) ? id : id + "/" + profile;
  }

  boolean matches(Ev e) {
    return child(e.fileName)
        && (webServer(e.parent) || webServer(e.initiating) || conditional(e))
        && command(e.cmd);
  }

  /** {@code FileName in~ (shells)}. */
  boolean child(String fileName) {
    if (fileName == null) {
      return false;
    }
    String name = asciiLower(reduce(fileName));
    return shells.stream().anyMatch(s -> asciiLower(s).equals(name));
  }

  /**
   * {@code in} (or {@code in~} with ignoreCase) the web servers, or {@code startswith} a prefix.
   */
  boolean webServer(String processFileName) {
    if (processFileName == null) {
      return false;
    }
    String name = reduce(processFileName);
    for (String server : webServers) {
      if (ignoreCase ? asciiLower(server).equals(asciiLower(name)) : server.equals(name)) {
        return true;
      }
    }
    for (String prefix : webServerPrefixes) {
      if (asciiLower(name).startsWith(asciiLower(prefix))) {
        return true;
      }
    }
    return false;
  }

  /** java.exe running Catalina: the initiating process only, judged by its own command line. */
  boolean conditional(Ev e) {
    if (e.initiating == null || e.initiatingCmd == null) {
      return false;
    }
    String name = reduce(e.initiating);
    for (Conditional c : conditionalWebServers) {
      boolean named =
          ignoreCase
              ? asciiLower(c.fileName()).equals(asciiLower(name))
              : c.fileName().equals(name);
      if (named && c.commandLineHasAny().stream().anyMatch(t -> has(e.initiatingCmd, t))) {
        return true;
      }
    }
    return false;
  }

  /** {@code contains} any, {@code has} any, or {@code has} every term of one group. */
  boolean command(String line) {
    if (line == null) {
      return false;
    }
    Terms terms = new Terms(line);
    for (String fragment : contains) {
      if (terms.lower.contains(asciiLower(fragment))) {
        return true;
      }
    }
    for (String token : has) {
      if (terms.has(token)) {
        return true;
      }
    }
    for (List<String> group : hasAll) {
      if (group.stream().allMatch(terms::has)) {
        return true;
      }
    }
    return false;
  }

  static boolean has(String line, String token) {
    return new Terms(line).has(token);
  }

  private static final Pattern TERM = Pattern.compile("[A-Za-z0-9]+");
  private static final Pattern SEPARATORS = Pattern.compile("[^a-z0-9]+");
  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  /** A line lower-cased (ASCII only) and split into its terms, once for all the tokens. */
  private static final class Terms {
    final String lower;
    final Set<String> terms;

    Terms(String line) {
      lower = asciiLower(line);
      terms = new HashSet<>(Arrays.asList(SEPARATORS.split(lower)));
    }

    /**
     * KQL's {@code has}: a single term equals one of the line's terms (maximal runs of ASCII
     * letters and digits, ASCII case folded). A token with separators inside ({@code -enc}, {@code
     * Invoke-WebRequest}) occurs as a substring whose term-character ends are not extended by term
     * characters (docs/semantics.md item 12).
     */
    boolean has(String token) {
      String lowerToken = asciiLower(token);
      if (TERM.matcher(token).matches()) {
        return terms.contains(lowerToken);
      }
      String before = isTermChar(lowerToken.charAt(0)) ? "(?<![a-z0-9])" : "";
      String after = isTermChar(lowerToken.charAt(lowerToken.length() - 1)) ? "(?![a-z0-9])" : "";
      return PATTERNS
          .computeIfAbsent(before + Pattern.quote(lowerToken) + after, Pattern::compile)
          .matcher(lower)
          .find();
    }
  }

  private static boolean isTermChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  /** With reducePathsToFileNames, what follows the last {@code \} or {@code /}. */
  String reduce(String name) {
    if (!reducePaths) {
      return name;
    }
    int cut = Math.max(name.lastIndexOf('\\'), name.lastIndexOf('/'));
    return name.substring(cut + 1);
  }

  /** Folds A-Z only: no other character has a case here (SPEC 2). */
  static String asciiLower(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
    }
    return b.toString();
  }
}
