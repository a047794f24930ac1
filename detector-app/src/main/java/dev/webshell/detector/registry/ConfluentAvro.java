package dev.webshell.detector.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format: byte {@code 0} (the "magic byte"), the schema id as a 4-byte
 * big-endian int, then the Avro binary encoding of the value with that schema. (Confluent 8 can
 * also name the schema in a header instead: {@link WriterSchemaRef}.)
 */
public final class ConfluentAvro {
  /** The only magic byte defined. */
  public static final byte MAGIC_BYTE = 0;

  /** Magic byte plus schema id. */
  public static final int HEADER_SIZE = 5;

  private ConfluentAvro() {}

  /** Subject of the topic-name strategy: {@code <topic>-key} or {@code <topic>-value}. */
  public static String subject(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }

  /**
   * The schema id of a framed payload.
   *
   * @throws UnreadableRecordException ({@link UnreadableRecordException#BAD_MAGIC_BYTE}) if {@code
   *     payload} is shorter than the header or its magic byte is not 0
   */
  public static int schemaId(byte[] payload) {
    if (payload == null || payload.length < HEADER_SIZE) {
      throw new UnreadableRecordException(
          UnreadableRecordException.BAD_MAGIC_BYTE,
          "Confluent Avro payload too short: "
              + (payload == null ? "null" : payload.length + " bytes")
              + ", need at least "
              + HEADER_SIZE
              + " (magic byte and schema id)",
          null);
    }
    if (payload[0] != MAGIC_BYTE) {
      throw new UnreadableRecordException(
          UnreadableRecordException.BAD_MAGIC_BYTE,
          String.format(
              "unknown magic byte 0x%02x (expected 0x00: not the Confluent wire format)",
              payload[0] & 0xff),
          null);
    }
    return ((payload[1] & 0xff) << 24)
        | ((payload[2] & 0xff) << 16)
        | ((payload[3] & 0xff) << 8)
        | (payload[4] & 0xff);
  }

  /** Writes the 5-byte header for {@code schemaId}. */
  public static void writeHeader(ByteArrayOutputStream out, int schemaId) {
    out.write(MAGIC_BYTE);
    out.write(schemaId >>> 24);
    out.write(schemaId >>> 16);
    out.write(schemaId >>> 8);
    out.write(schemaId);
  }

  /**
   * Frames {@code record} with {@code schemaId}, encoding it with its own schema (a specific record
   * with its generated class's logical-type conversions).
   *
   * @throws SerializationException if the record does not match its schema
   */
  public static byte[] encode(int schemaId, IndexedRecord record) {
    return encode(schemaId, record, writerFor(record));
  }

  static <T extends IndexedRecord> byte[] encode(int schemaId, T record, DatumWriter<T> writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    writeHeader(out, schemaId);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    } catch (AvroRuntimeException | ClassCastException | NullPointerException e) {
      throw new SerializationException(
          "cannot encode a " + record.getSchema().getFullName() + " as Avro: " + e, e);
    }
    return out.toByteArray();
  }

  /** A writer for the record's schema and model: specific for generated classes, else generic. */
  static <T extends IndexedRecord> DatumWriter<T> writerFor(T record) {
    Schema schema = record.getSchema();
    if (record instanceof SpecificRecord) {
      return new SpecificDatumWriter<>(schema, SpecificData.getForClass(record.getClass()));
    }
    return new GenericDatumWriter<>(schema, GenericData.get());
  }
}
