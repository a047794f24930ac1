package dev.webshell.detector.rule;

import dev.webshell.detector.event.ProcessEvent;

/**
 * The predicate of SPEC section 2 built from a {@link RuleSpec}. Stateless and thread-safe; no
 * regular expression and no allocation per event. The cheapest and most selective test ({@code
 * FileName}) runs first.
 */
public final class Rule {
  private final RuleSpec spec;
  private final String[] webServers;
  private final String[] webServerPrefixes;
  private final String[] shells;
  private final String[] containsTokens;
  private final TermMatcher hasTokens;

  public Rule(RuleSpec spec) {
    this.spec = spec;
    this.webServers = spec.webServers().toArray(new String[0]);
    this.webServerPrefixes = spec.webServerPrefixes().toArray(new String[0]);
    this.shells = spec.shells().toArray(new String[0]);
    this.containsTokens = spec.containsTokens().toArray(new String[0]);
    this.hasTokens = new TermMatcher(spec.hasTokens());
  }

  public RuleSpec spec() {
    return spec;
  }

  public boolean matches(ProcessEvent e) {
    return matches(
        e.fileName(),
        e.processCommandLine(),
        e.initiatingProcessFileName(),
        e.initiatingProcessParentFileName());
  }

  public boolean matches(
      String fileName,
      String processCommandLine,
      String initiatingProcessFileName,
      String initiatingProcessParentFileName) {
    return isShell(fileName)
        && (isWebServer(initiatingProcessParentFileName) || isWebServer(initiatingProcessFileName))
        && isSuspiciousCommand(processCommandLine);
  }

  /** {@code FileName in~ (shells)}. */
  public boolean isShell(String fileName) {
    String name = reduce(fileName);
    for (String shell : shells) {
      if (Kql.equalsIgnoreAsciiCase(name, shell)) {
        return true;
      }
    }
    return false;
  }

  /** {@code X in (webServers) or X startswith (prefix)}. */
  public boolean isWebServer(String processFileName) {
    String name = reduce(processFileName);
    if (name == null) {
      return false;
    }
    for (String server : webServers) {
      if (spec.lineageIgnoreCase()
          ? Kql.equalsIgnoreAsciiCase(name, server)
          : Kql.equalsExact(name, server)) {
        return true;
      }
    }
    for (String prefix : webServerPrefixes) {
      if (Kql.startsWithIgnoreAsciiCase(name, prefix)) {
        return true;
      }
    }
    return false;
  }

  /** {@code ProcessCommandLine contains (any) or ProcessCommandLine has (any)}. */
  public boolean isSuspiciousCommand(String commandLine) {
    if (commandLine == null) {
      return false;
    }
    for (String token : containsTokens) {
      if (Kql.containsIgnoreAsciiCase(commandLine, token)) {
        return true;
      }
    }
    return hasTokens.matchesAny(commandLine);
  }

  private String reduce(String name) {
    if (name == null || !spec.reducePathsToFileNames()) {
      return name;
    }
    int cut = Math.max(name.lastIndexOf('\\'), name.lastIndexOf('/'));
    return cut < 0 ? name : name.substring(cut + 1);
  }
}
