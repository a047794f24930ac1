package dev.webshell.detector.rule;

import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.event.RecordScreen;
import java.nio.charset.StandardCharsets;

/**
 * The predicate of SPEC section 2 built from a {@link RuleSpec}. Stateless and thread-safe; no
 * regular expression and no allocation per event (a full path is compared as its file name by
 * offset, not by substring). The cheapest and most selective test ({@code FileName}) runs first,
 * then the lineage, then the command line.
 */
public final class Rule implements RecordScreen {
  private final RuleSpec spec;
  private final String[] webServers;
  private final String[] webServerPrefixes;
  private final String[] conditionalNames;
  private final TermMatcher[] conditionalTokens;
  private final String[] shells;
  // the shells as bytes when every one is ASCII (then mayBeShell compares bytes); else null
  private final byte[][] asciiShells;
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
    this.asciiShells = asciiBytes(shells);
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
    return matches(
        fileName,
        processCommandLine,
        initiatingProcessFileName,
        initiatingProcessParentFileName,
        initiatingProcessCommandLine,
        null);
  }

  /**
   * The predicate with the grandparent's command line too, which only a rebuilt process tree knows
   * (Defender rows do not carry it): a conditional web server (java.exe running Catalina) then
   * counts as the grandparent as well.
   */
  public boolean matches(
      String fileName,
      String processCommandLine,
      String initiatingProcessFileName,
      String initiatingProcessParentFileName,
      String initiatingProcessCommandLine,
      String initiatingProcessParentCommandLine) {
    return isShell(fileName)
        && (isWebServer(initiatingProcessParentFileName, initiatingProcessParentCommandLine)
            || isWebServer(initiatingProcessFileName, initiatingProcessCommandLine))
        && isSuspiciousCommand(processCommandLine);
  }

  /**
   * Whether a Windows process creation can take part in a match through the process tree: it is a
   * shell running a suspicious command (a match once its lineage is known), or a node of the tree —
   * a web server, or a child of one (the parent of a web server's grandchild).
   */
  public boolean mattersToTheTree(ProcessEvent e) {
    return isCandidate(e)
        || isWebServer(e.fileName(), e.processCommandLine())
        || isWebServer(e.initiatingProcessFileName(), e.initiatingProcessCommandLine());
  }

  /**
   * {@link #matches} needs {@code FileName in~ (shells)} and a parent or grandparent that is a web
   * server, or a conditional one by its name (its command line decides, and is not asked here).
   */
  @Override
  public boolean mayMatch(
      String fileName, String initiatingProcessFileName, String initiatingProcessParentFileName) {
    return isShell(fileName)
        && (mayBeWebServer(initiatingProcessFileName)
            || mayBeWebServer(initiatingProcessParentFileName));
  }

  /**
   * {@link #mattersToTheTree} needs a shell, or a web server as the process or its parent; {@link
   * #matches}, for a creation without lineage, needs a shell. A conditional web server counts by
   * its name alone: its command line is not asked here.
   */
  @Override
  public boolean mayMatterToTheTree(String fileName, String initiatingProcessFileName) {
    return isShell(fileName)
        || mayBeWebServer(fileName)
        || mayBeWebServer(initiatingProcessFileName);
  }

  private boolean mayBeWebServer(String processFileName) {
    if (isWebServer(processFileName)) {
      return true;
    }
    if (processFileName == null) {
      return false;
    }
    return isOneOf(processFileName, nameStart(processFileName), conditionalNames);
  }

  /**
   * Whether the file name part of {@code processFileName}, from {@code from}, is one of {@code
   * names}.
   */
  private boolean isOneOf(String processFileName, int from, String[] names) {
    boolean ignoreCase = spec.lineageIgnoreCase();
    for (String name : names) {
      if (ignoreCase
          ? Kql.equalsIgnoreAsciiCase(processFileName, from, name)
          : Kql.equalsExact(processFileName, from, name)) {
        return true;
      }
    }
    return false;
  }

  /** A shell running a suspicious command: a match if its lineage is a web server's. */
  public boolean isCandidate(ProcessEvent e) {
    return isShell(e.fileName()) && isSuspiciousCommand(e.processCommandLine());
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

  /**
   * {@link #isShell(String)} of the string Avro's {@code readString} (and {@code new String(bytes,
   * UTF_8)}) decodes from {@code utf8[offset, offset + length)}, computed on the bytes without
   * decoding them; {@code utf8 == null} stands for a missing FileName, which is no shell. Exact:
   * {@code mayBeShell(b, o, n) == isShell(new String(b, o, n, UTF_8))} for every byte array,
   * malformed UTF-8 included. It lets a decoder skip building the other strings of the events the
   * rule cannot match.
   *
   * <p>Why comparing bytes is exact when every shell is ASCII (the built-in profiles' are):
   *
   * <ul>
   *   <li>Java's UTF-8 decoder, which {@code readString} uses, turns every byte below 0x80 into
   *       that same character and never takes one into a longer sequence: multi-byte sequences are
   *       made of bytes of 0x80 and above only, and a malformed sequence ends before the first byte
   *       that cannot continue it. Every byte of 0x80 or above ends up in a valid sequence, which
   *       decodes to a character of U+0080 or above (overlong forms of ASCII characters are
   *       malformed), or in a malformed one, which decodes to U+FFFD: at least one non-ASCII
   *       character either way.
   *   <li>So {@code \} and {@code /} are found at the same places in the bytes as in the string,
   *       and the bytes after the last one decode to the string's file name part, nothing more or
   *       less.
   *   <li>{@code in~} folds ASCII case only: a non-ASCII character (full-width {@code Ｃ}, the
   *       Kelvin sign {@code K} (U+212A), a dotless {@code ı}, a long {@code ſ}, U+FFFD) never
   *       equals an ASCII shell character. The file name part can only equal an ASCII shell if all
   *       its bytes are ASCII, and then it has exactly one character per byte, equal to the byte:
   *       comparing the bytes ignoring ASCII case is comparing the characters the same way. A
   *       non-ASCII byte never equals an ASCII one, folded or not, so no separate check is needed.
   * </ul>
   *
   * If a rule file ever lists a shell that is not ASCII, this decodes the bytes and asks {@link
   * #isShell(String)}: still exact, only not cheaper.
   */
  public boolean mayBeShell(byte[] utf8, int offset, int length) {
    if (utf8 == null) {
      return false;
    }
    byte[][] ascii = asciiShells;
    if (ascii == null) {
      return isShell(new String(utf8, offset, length, StandardCharsets.UTF_8));
    }
    int end = offset + length;
    int from = offset;
    if (spec.reducePathsToFileNames()) {
      for (int i = end - 1; i >= offset; i--) {
        byte b = utf8[i];
        if (b == '\\' || b == '/') {
          from = i + 1;
          break;
        }
      }
    }
    int n = end - from;
    for (byte[] shell : ascii) {
      if (shell.length == n && equalsIgnoreAsciiCase(utf8, from, shell)) {
        return true;
      }
    }
    return false;
  }

  /** {@code value[from, from + ascii.length)} equals {@code ascii} ignoring ASCII case. */
  private static boolean equalsIgnoreAsciiCase(byte[] value, int from, byte[] ascii) {
    for (int k = 0; k < ascii.length; k++) {
      byte x = value[from + k];
      byte y = ascii[k];
      if (x != y && lowerAscii(x) != lowerAscii(y)) {
        return false;
      }
    }
    return true;
  }

  private static byte lowerAscii(byte b) {
    return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
  }

  /** The names as US-ASCII bytes, or {@code null} if one of them is not ASCII. */
  private static byte[][] asciiBytes(String[] names) {
    byte[][] bytes = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      for (int k = 0; k < names[i].length(); k++) {
        if (names[i].charAt(k) >= 0x80) {
          return null;
        }
      }
      bytes[i] = names[i].getBytes(StandardCharsets.US_ASCII);
    }
    return bytes;
  }

  /** {@code X in (webServers) or X startswith (prefix)}. */
  public boolean isWebServer(String processFileName) {
    if (processFileName == null) {
      return false;
    }
    int from = nameStart(processFileName);
    if (isOneOf(processFileName, from, webServers)) {
      return true;
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
