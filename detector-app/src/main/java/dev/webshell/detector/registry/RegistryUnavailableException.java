package dev.webshell.detector.registry;

/**
 * The schema registry did not answer usefully, after the retries and the failover to the other
 * URLs: connection refused or reset, timeouts, 408, 429, 5xx, answers that are not the JSON
 * expected. The record that needed it is fine and must not become a dead letter: its partition
 * waits and is read again from the same offset once the registry answers.
 *
 * <p>{@link #status()} and {@link #errorCode()} are those of the last attempt.
 */
public class RegistryUnavailableException extends SchemaRegistryException {
  private static final long serialVersionUID = 1L;

  /** Wraps the last failure ({@code last}), keeping its status and error code. */
  public RegistryUnavailableException(String message, SchemaRegistryException last) {
    super(message, last);
  }
}
