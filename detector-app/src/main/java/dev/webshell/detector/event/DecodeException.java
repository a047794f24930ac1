package dev.webshell.detector.event;

/**
 * A record that cannot be read. {@link #reason()} is a short, stable code used as the metric tag
 * and the dead-letter header ({@code invalid-json}, {@code missing-field}, ...); the message says
 * what exactly was wrong. No stack trace: bad input is expected, not exceptional.
 */
public class DecodeException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String reason;

  public DecodeException(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
