package dev.webshell.detector.registry;

/**
 * A schema registry refused a request or could not be reached.
 *
 * <p>{@link #status()} is the HTTP status (0 when no answer came back at all), {@link #errorCode()}
 * the registry's {@code error_code} (-1 when it sent none) and {@link #registryMessage()} its
 * {@code message}, verbatim, so that a user sees exactly what the registry said (for example why a
 * schema is incompatible). Messages never hold credentials.
 *
 * <p>The serde turns failures that are the fault of one record or one schema (unknown schema id,
 * incompatible schema) into {@link org.apache.kafka.common.errors.SerializationException}s with
 * this exception as the cause; failures of the registry itself (unreachable, 5xx, 401) propagate as
 * this exception, so that a dead-letter handler can tell the two apart.
 */
public class SchemaRegistryException extends RuntimeException {
  /** Confluent's {@code error_code} for an unknown subject. */
  public static final int SUBJECT_NOT_FOUND = 40401;

  /** Confluent's {@code error_code} for an unknown version. */
  public static final int VERSION_NOT_FOUND = 40402;

  /** Confluent's {@code error_code} for an unknown schema id. */
  public static final int SCHEMA_NOT_FOUND = 40403;

  /** Confluent's {@code error_code} for an incompatible schema. */
  public static final int INCOMPATIBLE_SCHEMA = 409;

  /** Confluent's {@code error_code} for an invalid schema. */
  public static final int INVALID_SCHEMA = 42201;

  private final int status;
  private final int errorCode;
  private final String registryMessage;

  /**
   * @param message the whole message, already free of secrets
   * @param status HTTP status, 0 if there was no answer
   * @param errorCode the registry's {@code error_code}, -1 if none
   * @param registryMessage the registry's {@code message} verbatim (or the body, or the cause)
   */
  public SchemaRegistryException(
      String message, int status, int errorCode, String registryMessage, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode;
    this.registryMessage = registryMessage;
  }

  /** HTTP status of the answer; 0 when the registry could not be reached. */
  public int status() {
    return status;
  }

  /** The registry's {@code error_code}, or -1 when the answer held none. */
  public int errorCode() {
    return errorCode;
  }

  /** What the registry said, verbatim: its {@code message}, or the body if it was not JSON. */
  public String registryMessage() {
    return registryMessage;
  }

  /** The registry answered 404: unknown subject, version or schema id. */
  public boolean isNotFound() {
    return status == 404;
  }

  /** The registry refused a schema as incompatible (409). */
  public boolean isIncompatible() {
    return status == 409;
  }

  /** No registry answered (connection refused, timeout, TLS handshake failure). */
  public boolean isUnreachable() {
    return status == 0;
  }
}
