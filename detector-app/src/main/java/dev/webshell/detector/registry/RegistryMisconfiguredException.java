package dev.webshell.detector.registry;

/**
 * The schema registry refuses the detector's credentials (401) or access (403), or the URL leads to
 * no Confluent-compatible API (a 404 without Confluent's error code, as Apicurio answers at its
 * root instead of {@code /apis/ccompat/v7}). Retrying cannot help and no record is at fault: the
 * detector stops with this message, which says what to fix.
 */
public class RegistryMisconfiguredException extends SchemaRegistryException {
  private static final long serialVersionUID = 1L;

  /** Wraps the registry's answer ({@code answer}), keeping its status and error code. */
  public RegistryMisconfiguredException(String message, SchemaRegistryException answer) {
    super(message, answer);
  }
}
