package dev.webshell.detector.rule;

/**
 * A rule file that cannot be used, with ONE line that says where and why: {@code rules.yaml:12:
 * unknown key 'sheels' (known: ...)}.
 */
public final class RuleFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final String key;

  /**
   * @param file the file as the operator named it (or the built-in resource)
   * @param line 1-based line the problem is on; 0 when the file could not be read at all
   * @param key the key (dotted path, e.g. {@code lineage.webServers}) at fault, or {@code null}
   * @param message what is wrong, naming the key
   */
  public RuleFileException(String file, int line, String key, String message) {
    super(file + (line > 0 ? ":" + line : "") + ": " + message);
    this.file = file;
    this.line = line;
    this.key = key;
  }

  public RuleFileException(String file, int line, String key, String message, Throwable cause) {
    this(file, line, key, message);
    initCause(cause);
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  /** The key at fault, as a dotted path ({@code caps.maxCommandLines}), or {@code null}. */
  public String key() {
    return key;
  }
}
