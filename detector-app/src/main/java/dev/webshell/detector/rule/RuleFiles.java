package dev.webshell.detector.rule;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rule files: the rule's metadata, lists, lookback and caps in YAML, so an operator can tune them
 * without rebuilding. The format is in {@code docs/rules.md}; the built-in profiles are {@code
 * rules/kql.yaml} (the query exactly) and {@code rules/hardened.yaml} on the classpath.
 *
 * <p>Every problem is reported as ONE {@link RuleFileException} line naming the file, the line and
 * the key: an unknown key, a missing required key, a value of the wrong type, an empty list, a bad
 * duration, a value out of range. Reading is in two steps: the YAML into a tree that remembers
 * lines ({@link YamlTree}), the tree against the format into a {@link RuleSpec} ({@link
 * RuleFileSchema}).
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
    YamlTree.Node root = YamlTree.read(source, reader);
    return new RuleFileSchema(source).rule(root, defaultProfile);
  }
}
