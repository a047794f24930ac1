package dev.webshell.detector.rule;

import dev.webshell.detector.event.ProcessEvent;

/**
 * The predicate of SPEC section 2 built from a {@link RuleSpec}. Stateless and thread-safe; no
 * regular expression and no allocation per event (a full path is compared as its file name by
 * offset, not by substring). The cheapest and most selective test ({@code FileName}) runs first,
 * then the lineage, then the command line.
 */
public final class Rule {
  private final RuleSpec spec;
  private final String[] webServers;
  private final String[] webServerPrefixes;
  private final String[] conditionalNames;
  private final TermMatcher[] conditionalTokens;
  private final String[] shells;
  private final String[] containsTokens;
  private final TermMatcher hasTokens;
  private final AllTermsMatcher hasAllTokens;

  public Rule(RuleSpec spec) {
    this.spec = spec;
    this.webServers = spec.webServers().toArray(new String[0]);
    this.webServerPrefixes = spec.webServerPrefixes().toArray(new String[0]);
    this.conditionalNames =
        spec.conditionalWebServers().stream()
            .map(ConditionalWebServer::fileName)
            .toArray(String[]::new);
    this.conditionalTokens =
        spec.conditionalWebServers().stream()
            .map(c -> new TermMatcher(c.commandLineHasAny()))
            .toArray(TermMatcher[]::new);
    this.shells = spec.shells().toArray(new String[0]);
    this.containsTokens = spec.containsTokens().toArray(new String[0]);
    this.hasTokens = new TermMatcher(spec.hasTokens());
    this.hasAllTokens = new AllTermsMatcher(spec.hasAllTokens());
  }

  public RuleSpec spec() {
    return spec;
  }

  public boolean matches(ProcessEvent e) {
    return matches(
        e.fileName(),
        e.processCommandLine(),
        e.initiatingProcessFileName(),
        e.initiatingProcessParentFileName(),
        e.initiatingProcessCommandLine());
  }

  /** The predicate without the initiating command line: conditional web servers never match. */
  public boolean matches(
      String fileName,
      String processCommandLine,
      String initiatingProcessFileName,
      String initiatingProcessParentFileName) {
    return matches(
        fileName,
        processCommandLine,
        initiatingProcessFileName,
        initiatingProcessParentFileName,
        null);
  }

  public boolean matches(
      String fileName,
      String processCommandLine,
      String initiatingProcessFileName,
      String initiatingProcessParentFileName,
      String initiatingProcessCommandLine) {
    return isShell(fileName)
        && (isWebServer(initiatingProcessParentFileName)
            || isWebServer(initiatingProcessFileName, initiatingProcessCommandLine))
        && isSuspiciousCommand(processCommandLine);
  }

  /** {@code FileName in~ (shells)}. */
  public boolean isShell(String fileName) {
    if (fileName == null) {
      return false;
    }
    int from = nameStart(fileName);
    for (String shell : shells) {
      if (Kql.equalsIgnoreAsciiCase(fileName, from, shell)) {
        return true;
      }
    }
    return false;
  }

  /** {@code X in (webServers) or X startswith (prefix)}. */
  public boolean isWebServer(String processFileName) {
    if (processFileName == null) {
      return false;
    }
    int from = nameStart(processFileName);
    boolean ignoreCase = spec.lineageIgnoreCase();
    for (String server : webServers) {
      if (ignoreCase
          ? Kql.equalsIgnoreAsciiCase(processFileName, from, server)
          : Kql.equalsExact(processFileName, from, server)) {
        return true;
      }
    }
    for (String prefix : webServerPrefixes) {
      if (Kql.startsWithIgnoreAsciiCase(processFileName, from, prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@link #isWebServer(String)}, or a conditional web server whose command line {@code has} one of
   * its tokens ({@code java.exe} running {@code org.apache.catalina.startup.Bootstrap}).
   */
  public boolean isWebServer(String processFileName, String processCommandLine) {
    if (isWebServer(processFileName)) {
      return true;
    }
    if (conditionalNames.length == 0 || processFileName == null || processCommandLine == null) {
      return false;
    }
    int from = nameStart(processFileName);
    boolean ignoreCase = spec.lineageIgnoreCase();
    for (int i = 0; i < conditionalNames.length; i++) {
      if ((ignoreCase
              ? Kql.equalsIgnoreAsciiCase(processFileName, from, conditionalNames[i])
              : Kql.equalsExact(processFileName, from, conditionalNames[i]))
          && conditionalTokens[i].matchesAny(processCommandLine)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code ProcessCommandLine contains (any) or ProcessCommandLine has (any)}, or (hardened) has
   * every term of one of the all-terms groups.
   */
  public boolean isSuspiciousCommand(String commandLine) {
    if (commandLine == null) {
      return false;
    }
    for (String token : containsTokens) {
      if (Kql.containsIgnoreAsciiCase(commandLine, token)) {
        return true;
      }
    }
    return hasTokens.matchesAny(commandLine) || hasAllTokens.matchesAny(commandLine);
  }

  private int nameStart(String name) {
    return spec.reducePathsToFileNames() ? Kql.fileNameStart(name) : 0;
  }
}
