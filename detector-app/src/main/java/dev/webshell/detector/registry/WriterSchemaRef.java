package dev.webshell.detector.registry;

import java.nio.ByteBuffer;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Where a record names its writer schema, in one of the two framings of Confluent's serializers:
 *
 * <ul>
 *   <li>in the payload (every version): magic byte {@code 0}, the schema id as a 4-byte big-endian
 *       int, then the Avro body ({@link #bodyOffset()} 5);
 *   <li>in a header (Confluent 8's {@code HeaderSchemaIdSerializer}): {@code __value_schema_id} (or
 *       {@code __key_schema_id}) holds byte {@code 1} and the schema's 16-byte GUID, or byte {@code
 *       0} and a 4-byte id; the payload is the bare Avro body ({@link #bodyOffset()} 0). When both
 *       are present the header wins, as in Confluent's {@code DualSchemaIdDeserializer} (the
 *       default of its deserializers).
 * </ul>
 *
 * @param id the schema id, or -1 when the record names a GUID
 * @param guid the schema GUID, or null
 * @param header the header that named it, or null for the payload
 * @param bodyOffset where the Avro body starts in the payload
 */
public record WriterSchemaRef(int id, UUID guid, String header, int bodyOffset) {
  /** Confluent 8's header for a value's schema id. */
  public static final String VALUE_HEADER = "__value_schema_id";

  /** Confluent 8's header for a key's schema id. */
  public static final String KEY_HEADER = "__key_schema_id";

  private static final byte ID_FORMAT = 0;
  private static final byte GUID_FORMAT = 1;

  /**
   * The writer schema of a value: named by its {@value #VALUE_HEADER} header if it has one, else by
   * its payload's prefix.
   *
   * @throws UnreadableRecordException for a header or prefix that cannot be read
   */
  public static WriterSchemaRef ofValue(Headers headers, byte[] payload) {
    return of(headers, payload, VALUE_HEADER);
  }

  /** As {@link #ofValue}, for a key (header {@value #KEY_HEADER}). */
  public static WriterSchemaRef ofKey(Headers headers, byte[] payload) {
    return of(headers, payload, KEY_HEADER);
  }

  private static WriterSchemaRef of(Headers headers, byte[] payload, String name) {
    Header h = headers == null ? null : headers.lastHeader(name);
    if (h == null || h.value() == null) {
      return new WriterSchemaRef(
          ConfluentAvro.schemaId(payload), null, null, ConfluentAvro.HEADER_SIZE);
    }
    return fromHeader(name, h.value());
  }

  /** True when {@code headers} name a value's writer schema ({@value #VALUE_HEADER}). */
  public static boolean inValueHeader(Headers headers) {
    if (headers == null) {
      return false;
    }
    Header h = headers.lastHeader(VALUE_HEADER);
    return h != null && h.value() != null;
  }

  static WriterSchemaRef fromHeader(String name, byte[] value) {
    if (value.length >= 17 && value[0] == GUID_FORMAT) {
      ByteBuffer b = ByteBuffer.wrap(value, 1, 16);
      return new WriterSchemaRef(-1, new UUID(b.getLong(), b.getLong()), name, 0);
    }
    if (value.length >= 5 && value[0] == ID_FORMAT) {
      return new WriterSchemaRef(ByteBuffer.wrap(value, 1, 4).getInt(), null, name, 0);
    }
    throw new UnreadableRecordException(
        UnreadableRecordException.SCHEMA_ID_HEADER,
        String.format(
            "header %s (%d bytes, first 0x%02x) is not a schema id in Confluent 8's format (byte 1"
                + " and a 16-byte GUID, or byte 0 and a 4-byte id)",
            name, value.length, value.length == 0 ? 0 : value[0] & 0xff),
        null);
  }

  /** "schema id 42", "schema GUID … (header __value_schema_id)". */
  @Override
  public String toString() {
    return (guid != null ? "schema GUID " + guid : "schema id " + id)
        + (header == null ? "" : " (header " + header + ")");
  }

  /**
   * The writer schema, from {@code registry}, with every failure classified by whose fault it is.
   *
   * @throws UnreadableRecordException the record's fault: an id or GUID the registry does not know
   *     (404 with error code 40403), a schema that cannot be used, a GUID the registry cannot look
   *     up (it does not serve {@code /schemas/guids})
   * @throws RegistryMisconfiguredException the configuration's fault: 401 or 403, a 404 without
   *     Confluent's error code (the URL leads to no Confluent-compatible API)
   * @throws RegistryUnavailableException the registry's fault: it did not answer usefully after
   *     retries and failover, or answered with an error that is no record's fault
   */
  public org.apache.avro.Schema fetch(SchemaRegistryClient registry) {
    try {
      return guid != null ? registry.getByGuid(guid) : registry.getById(id);
    } catch (RegistryUnavailableException | RegistryMisconfiguredException e) {
      throw e;
    } catch (SchemaRegistryException e) {
      throw classify(e);
    }
  }

  private RuntimeException classify(SchemaRegistryException e) {
    if (e.isUnusableSchema()) {
      return new UnreadableRecordException(
          UnreadableRecordException.UNUSABLE_SCHEMA,
          "writer " + this + " cannot be used: " + e.getMessage(),
          e);
    }
    if (e.isUnknownSchema()) {
      return new UnreadableRecordException(
          UnreadableRecordException.UNKNOWN_SCHEMA_ID,
          "unknown " + this + ": the schema registry says: " + e.registryMessage(),
          e);
    }
    if (e.isAuthFailure()) {
      return new RegistryMisconfiguredException(
          "the schema registry refuses the detector's credentials (check the user and password,"
              + " or the token, and the registry's permissions): "
              + e.getMessage(),
          e);
    }
    if (e.isNotFound() && guid != null) {
      return new UnreadableRecordException(
          UnreadableRecordException.SCHEMA_ID_HEADER,
          "the record names its writer schema by GUID "
              + guid
              + " in Confluent 8's "
              + header
              + " header, and this schema registry does not look schemas up by GUID (GET"
              + " /schemas/guids/{guid}, Confluent Schema Registry 8; Apicurio 2 has no such"
              + " endpoint): "
              + e.getMessage(),
          e);
    }
    if (e.isNotFound()) {
      return new RegistryMisconfiguredException(
          "the schema registry URL leads to no Confluent-compatible API (a 404 without Confluent's"
              + " error code 40403; Apicurio serves the API under /apis/ccompat/v7): "
              + e.getMessage(),
          e);
    }
    return new RegistryUnavailableException("schema registry unavailable: " + e.getMessage(), e);
  }
}
