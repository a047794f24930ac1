package dev.webshell.detector.ops;

/**
 * A failure told in one line, for the operator: the innermost cause's message (Kafka's and the
 * JDK's exceptions wrap the one that says what went wrong several times), its whitespace folded, or
 * the exception's class name when it has no message.
 */
public final class RootCause {
  private RootCause() {}

  /** The innermost cause's message on one line. */
  public static String message(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return m.replaceAll("\\s+", " ").trim();
  }
}
