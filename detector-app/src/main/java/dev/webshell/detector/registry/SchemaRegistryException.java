package dev.webshell.detector.registry;

/**
 * A schema registry refused a request or could not be reached.
 *
 * <p>{@link #status()} is the HTTP status (0 when no answer came back at all), {@link #errorCode()}
 * the registry's {@code error_code} (-1 when it sent none) and {@link #registryMessage()} its
 * {@code message}, verbatim, so that a user sees exactly what the registry said (for example why a
 * schema is incompatible). Messages never hold credentials.
 *
 * <p>The serdes turn failures that are the fault of one record or one schema (unknown schema id, a
 * writer schema that cannot be used, an incompatible schema) into {@link
 * org.apache.kafka.common.errors.SerializationException}s with this exception as the cause, and
 * failures of the registry itself into one of two subclasses, so that a dead-letter handler can
 * tell them apart: {@link RegistryUnavailableException} (it did not answer usefully after retries
 * and failover: try again later) and {@link RegistryMisconfiguredException} (it refuses the
 * credentials, or the URL leads to no Confluent-compatible API: retrying cannot help).
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

  /**
   * Confluent's client's {@code error_code} for an answer whose body is not the JSON expected (an
   * HTML error page from a proxy, a truncated body); this client uses it the same way.
   */
  public static final int UNREADABLE_ANSWER = 50005;

  private final int status;
  private final int errorCode;
  private final String registryMessage;
  private final boolean unusableSchema;

  /**
   * @param message the whole message, already free of secrets
   * @param status HTTP status, 0 if there was no answer
   * @param errorCode the registry's {@code error_code}, -1 if none
   * @param registryMessage the registry's {@code message} verbatim (or the body, or the cause)
   */
  public SchemaRegistryException(
      String message, int status, int errorCode, String registryMessage, Throwable cause) {
    this(message, status, errorCode, registryMessage, cause, false);
  }

  private SchemaRegistryException(
      String message,
      int status,
      int errorCode,
      String registryMessage,
      Throwable cause,
      boolean unusableSchema) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode;
    this.registryMessage = registryMessage;
    this.unusableSchema = unusableSchema;
  }

  /**
   * The registry answered with a schema this client cannot use (not Avro, not valid Avro, with
   * references): a fault of the records written with it, not of the registry.
   */
  static SchemaRegistryException unusableSchema(String message, String detail, Throwable cause) {
    return new SchemaRegistryException(message, 200, -1, detail, cause, true);
  }

  /**
   * Copies {@code e}'s status, error code and registry message under a new message, which must say
   * all of {@code e}'s: it has no cause, so that a fatal error's one line (the root cause's
   * message) is this message.
   */
  SchemaRegistryException(String message, SchemaRegistryException e) {
    this(message, e.status, e.errorCode, e.registryMessage, null, false);
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

  /**
   * The registry answered 404: unknown subject, version or schema id, or a URL that leads to no
   * Confluent-compatible API (see {@link #isUnknownSchema()}, {@link #isUnknownSubject()}).
   */
  public boolean isNotFound() {
    return status == 404;
  }

  /** The answer was a schema this client cannot use (not Avro, invalid, with references). */
  public boolean isUnusableSchema() {
    return unusableSchema;
  }

  /** The registry knows no schema with the id or GUID asked for (404, error code 40403). */
  public boolean isUnknownSchema() {
    return status == 404 && errorCode == SCHEMA_NOT_FOUND;
  }

  /** The registry knows no such subject or version (404, error code 40401 or 40402). */
  public boolean isUnknownSubject() {
    return status == 404 && (errorCode == SUBJECT_NOT_FOUND || errorCode == VERSION_NOT_FOUND);
  }

  /** The registry refused the credentials (401) or the access (403). */
  public boolean isAuthFailure() {
    return status == 401 || status == 403;
  }

  /**
   * Worth asking again, as Confluent's client decides it: no answer (connection refused or reset,
   * timeout, TLS failure), 408, 429, 500, 502, 503, 504, or a successful status whose body is not
   * the JSON expected.
   */
  public boolean isRetriable() {
    return switch (status) {
      case 0, 408, 429, 500, 502, 503, 504 -> true;
      default -> status >= 200 && status < 300 && errorCode == UNREADABLE_ANSWER;
    };
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
