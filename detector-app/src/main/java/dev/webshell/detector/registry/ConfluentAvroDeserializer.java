package dev.webshell.detector.registry;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka {@link Deserializer} for the Confluent Avro wire format that resolves each writer schema
 * (fetched from the registry by the id in the payload) against a reader schema chosen by the
 * caller, following Avro's schema-resolution rules: the reader may be a projection holding only the
 * fields it needs, fields the writer lacks take the reader's defaults, and a reader union with null
 * reads a writer's null.
 *
 * <p>The writer schema is named in the payload, or (Confluent 8) in the record's {@code
 * __value_schema_id} header when {@link #deserialize(String, Headers, byte[])} is given headers:
 * see {@link WriterSchemaRef}. The reader's record names must match the writer's (or be aliases).
 * One {@link DatumReader} is kept per writer schema. {@code null} bytes deserialize to {@code null}
 * (a tombstone).
 *
 * <p>Faults of the record itself — a magic byte other than 0, fewer than 5 bytes, a truncated or
 * malformed body, a schema id the registry does not know, a writer schema the reader cannot use —
 * raise {@link UnreadableRecordException}, a {@link SerializationException} (never a bare NPE or
 * EOF). A registry that fails raises {@link RegistryUnavailableException} or {@link
 * RegistryMisconfiguredException}, which are not the record's fault.
 *
 * @param <T> {@link GenericRecord} for a projection schema, or a generated {@link SpecificRecord}
 */
public final class ConfluentAvroDeserializer<T> implements Deserializer<T> {
  /**
   * The longest string or byte array, in bytes, and the most array or map items one payload may
   * claim. Avro allocates what a length prefix claims before reading it: without a bound, a 40-byte
   * record claiming a 512 MB string stops the detector with an OutOfMemoryError, again after every
   * restart. Set through Avro's own system properties ({@link SystemLimitException}) when the JVM
   * has not set them; an operator may set them ({@code -Dorg.apache.avro.limits.…}).
   */
  public static final int MAX_LENGTH = 8 << 20;

  public static final int MAX_ITEMS = 1_000_000;

  static {
    limit(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_LENGTH);
    limit(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, MAX_LENGTH);
    limit(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, MAX_ITEMS);
  }

  private static void limit(String property, int value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, Integer.toString(value));
    }
  }

  private final SchemaRegistryClient client;
  private final Schema readerSchema;
  private final Function<Schema, DatumReader<T>> readerFactory;
  private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
  private final Map<UUID, DatumReader<T>> readersByGuid = new ConcurrentHashMap<>();

  private ConfluentAvroDeserializer(
      SchemaRegistryClient client,
      Schema readerSchema,
      Function<Schema, DatumReader<T>> readerFactory) {
    this.client = Objects.requireNonNull(client, "client");
    this.readerSchema = Objects.requireNonNull(readerSchema, "readerSchema");
    this.readerFactory = readerFactory;
  }

  /**
   * Reads {@link GenericRecord}s of {@code readerSchema}, typically a projection of the writer's
   * schema. Strings come back as {@link org.apache.avro.util.Utf8} unless the reader schema's
   * string types carry {@code "avro.java.string": "String"}.
   */
  public static ConfluentAvroDeserializer<GenericRecord> generic(
      SchemaRegistryClient client, Schema readerSchema) {
    return new ConfluentAvroDeserializer<>(
        client,
        readerSchema,
        writer -> new GenericDatumReader<>(writer, readerSchema, GenericData.get()));
  }

  /** Reads instances of the generated class {@code type}, its schema being the reader schema. */
  public static <T extends SpecificRecord> ConfluentAvroDeserializer<T> specific(
      SchemaRegistryClient client, Class<T> type) {
    SpecificData model = SpecificData.getForClass(type);
    Schema reader = model.getSchema(type);
    return new ConfluentAvroDeserializer<>(
        client, reader, writer -> new SpecificDatumReader<>(writer, reader, model));
  }

  /** The reader schema every record is resolved to. */
  public Schema readerSchema() {
    return readerSchema;
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    return deserialize(topic, null, data);
  }

  @Override
  public T deserialize(String topic, Headers headers, byte[] data) {
    if (data == null) {
      return null;
    }
    WriterSchemaRef ref = WriterSchemaRef.ofValue(headers, data);
    DatumReader<T> reader = reader(ref);
    int offset = ref.bodyOffset();
    BinaryDecoder decoder =
        DecoderFactory.get().binaryDecoder(data, offset, data.length - offset, null);
    try {
      return reader.read(null, decoder);
    } catch (IOException | RuntimeException e) {
      // EOFException for a truncated body; AvroRuntimeException, IndexOutOfBounds or worse for
      // bytes that do not follow the writer schema: all of them faults of this record
      throw new UnreadableRecordException(
          UnreadableRecordException.INVALID_AVRO,
          "cannot decode Avro payload of "
              + data.length
              + " bytes with writer "
              + ref
              + " as "
              + readerSchema.getFullName()
              + (topic == null ? "" : " (topic " + topic + ")")
              + ": "
              + e,
          e);
    }
  }

  private DatumReader<T> reader(WriterSchemaRef ref) {
    Map<?, DatumReader<T>> cache = ref.guid() != null ? readersByGuid : readers;
    Object key = ref.guid() != null ? ref.guid() : (Object) ref.id();
    DatumReader<T> reader = cache.get(key);
    if (reader != null) {
      return reader;
    }
    reader = readerFactory.apply(ref.fetch(client));
    DatumReader<T> raced =
        ref.guid() != null
            ? readersByGuid.putIfAbsent(ref.guid(), reader)
            : readers.putIfAbsent(ref.id(), reader);
    return raced == null ? reader : raced;
  }
}
