package dev.webshell.detector.rule;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything an operator can tune about the rule: its metadata, its lists and its bounds. The
 * defaults ({@link #seed()}) are the Sentinel/Defender query exactly; rule files ({@link
 * RuleFiles}) give other values, such as the {@code hardened} profile.
 *
 * @param webServers lineage values compared with {@code in} (case-sensitive unless {@code
 *     lineageIgnoreCase})
 * @param webServerPrefixes lineage values compared with {@code startswith} (ignoring ASCII case)
 * @param conditionalWebServers hardened: {@code InitiatingProcessFileName} values that count as a
 *     web server only when {@code InitiatingProcessCommandLine has} one of their tokens ({@code
 *     java.exe} running Catalina)
 * @param lineageIgnoreCase hardened: compare {@code webServers} ignoring ASCII case
 * @param reducePathsToFileNames hardened: {@code C:\x\w3wp.exe} is compared as {@code w3wp.exe}
 * @param shells {@code FileName in~ (...)}: the child processes (shells; in the hardened profile
 *     also discovery tools a web server starts directly)
 * @param containsTokens {@code ProcessCommandLine contains ...}, any of
 * @param hasTokens {@code ProcessCommandLine has ...}, any of
 * @param hasAllTokens hardened: groups of terms, any group of which {@code ProcessCommandLine has}
 *     every term ({@code [net, user]}); each term is letters and digits only
 * @param lookback the query's {@code ago(7d)}: window length and late-event bound
 * @param maxCommandLines the {@code makeset} cap: command lines (and evidence) listed on an alert
 * @param maxCommandLineLength longer command lines are cut to this many characters (flagged)
 * @param maxExactEventsPerCommandLine per command line, events kept exactly; older ones are counted
 *     in hourly buckets and {@code countsExact} becomes false when a bucket straddles the window
 *     start
 * @param maxTrackedCommandLines distinct command lines tracked per device; beyond, new lines are
 *     not tracked and the alert says so ({@code countsExact=false}, {@code truncated=true})
 */
public record RuleSpec(
    String id,
    String name,
    String version,
    String profile,
    String severity,
    List<String> tactics,
    List<String> techniques,
    List<String> webServers,
    List<String> webServerPrefixes,
    List<ConditionalWebServer> conditionalWebServers,
    boolean lineageIgnoreCase,
    boolean reducePathsToFileNames,
    List<String> shells,
    List<String> containsTokens,
    List<String> hasTokens,
    List<List<String>> hasAllTokens,
    Duration lookback,
    int maxCommandLines,
    int maxCommandLineLength,
    int maxExactEventsPerCommandLine,
    int maxTrackedCommandLines) {

  public static final String SEED_ID = "fa2f7d8a-6726-465a-aa72-6f6e3d4c99d7";

  public static final int DEFAULT_MAX_COMMAND_LINES = 128;
  public static final int DEFAULT_MAX_COMMAND_LINE_LENGTH = 32_768;
  public static final int DEFAULT_MAX_EXACT_EVENTS_PER_COMMAND_LINE = 64;
  public static final int DEFAULT_MAX_TRACKED_COMMAND_LINES = 4096;

  public RuleSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    tactics = List.copyOf(tactics);
    techniques = List.copyOf(techniques);
    webServers = List.copyOf(webServers);
    webServerPrefixes = List.copyOf(webServerPrefixes);
    conditionalWebServers = List.copyOf(conditionalWebServers);
    shells = List.copyOf(shells);
    containsTokens = List.copyOf(containsTokens);
    hasTokens = List.copyOf(hasTokens);
    hasAllTokens = hasAllTokens.stream().map(List::copyOf).toList();
    if (lookback == null || lookback.isNegative() || lookback.isZero()) {
      throw new IllegalArgumentException("lookback must be positive");
    }
    if (maxCommandLines < 1
        || maxCommandLineLength < 16
        || maxExactEventsPerCommandLine < 1
        || maxTrackedCommandLines < maxCommandLines) {
      throw new IllegalArgumentException(
          "bounds: maxCommandLines >= 1, maxCommandLineLength >= 16,"
              + " maxExactEventsPerCommandLine >= 1, maxTrackedCommandLines >= maxCommandLines");
    }
    if (shells.isEmpty()
        || (webServers.isEmpty()
            && webServerPrefixes.isEmpty()
            && conditionalWebServers.isEmpty())) {
      throw new IllegalArgumentException("the rule needs shells and web-server lineage values");
    }
    if (containsTokens.isEmpty() && hasTokens.isEmpty() && hasAllTokens.isEmpty()) {
      throw new IllegalArgumentException("the rule needs command-line tokens");
    }
  }

  /** The seed rule: section 2 of the SPEC, exactly. {@code rules/kql.yaml} says the same. */
  public static RuleSpec seed() {
    return new RuleSpec(
        SEED_ID,
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
        List.of(),
        Duration.ofDays(7),
        DEFAULT_MAX_COMMAND_LINES,
        DEFAULT_MAX_COMMAND_LINE_LENGTH,
        DEFAULT_MAX_EXACT_EVENTS_PER_COMMAND_LINE,
        DEFAULT_MAX_TRACKED_COMMAND_LINES);
  }

  public long lookbackMicros() {
    return lookback.toNanos() / 1000L;
  }

  /** A copy with other bounds (used by tests and by configuration overrides). */
  public RuleSpec withBounds(
      Duration lookback, int maxCommandLines, int maxExactEventsPerCommandLine, int maxTracked) {
    return new RuleSpec(
        id,
        name,
        version,
        profile,
        severity,
        tactics,
        techniques,
        webServers,
        webServerPrefixes,
        conditionalWebServers,
        lineageIgnoreCase,
        reducePathsToFileNames,
        shells,
        containsTokens,
        hasTokens,
        hasAllTokens,
        lookback,
        maxCommandLines,
        maxCommandLineLength,
        maxExactEventsPerCommandLine,
        maxTracked);
  }
}
