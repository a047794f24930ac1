package dev.webshell.detector.service;

/** The detector cannot start; the message is one clear line for the operator (never a secret). */
public final class StartupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StartupException(String message) {
    super(message, null, false, false);
  }
}
