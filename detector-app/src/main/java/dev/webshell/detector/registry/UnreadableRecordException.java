package dev.webshell.detector.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record that cannot be read, by its own fault: it goes to the dead letters. {@link #reason()} is
 * a short, stable code for the dead-letter header and the metric.
 */
public class UnreadableRecordException extends SerializationException {
  private static final long serialVersionUID = 1L;

  /** A magic byte other than 0, or fewer bytes than the magic byte and schema id. */
  public static final String BAD_MAGIC_BYTE = "bad-magic-byte";

  /** A schema id or GUID the registry does not know (404 with error code 40403). */
  public static final String UNKNOWN_SCHEMA_ID = "unknown-schema-id";

  /**
   * A writer schema that cannot be read into the reader's record: not Avro, not valid, with
   * references, a Timestamp in a unit or type that cannot be converted.
   */
  public static final String UNUSABLE_SCHEMA = "unusable-schema";

  /**
   * The schema id travels in Confluent 8's {@code __value_schema_id} header in a form that cannot
   * be used: an unknown format byte, or a GUID the registry cannot look up.
   */
  public static final String SCHEMA_ID_HEADER = "unusable-schema-id-header";

  /** Bytes that do not follow the writer schema. */
  public static final String INVALID_AVRO = "invalid-avro";

  private final String reason;

  public UnreadableRecordException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** The dead-letter reason, one of the constants of this class. */
  public String reason() {
    return reason;
  }
}
