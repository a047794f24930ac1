package dev.webshell.detector.event;

import dev.webshell.detector.registry.WriterSchemaRef;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads an input message in any supported format (SPEC 6). A message that cannot be read at all
 * throws {@link DecodeException}, which Kafka Streams hands to the deserialization exception
 * handler (dead letters).
 */
public final class InputDeserializer implements Deserializer<Decoded> {
  private final InputFormat format;
  private final JsonInputDecoder json;
  private final AvroEventDecoder avro;
  private final QuietRuns quiet;

  /**
   * @param avro decodes a Confluent-framed Avro {@code DeviceProcessEvent}; {@code null} when no
   *     schema registry is configured (Avro records then go to the dead letters)
   */
  public InputDeserializer(InputFormat format, AvroEventDecoder avro) {
    this(format, avro, null);
  }

  /**
   * @param screen the rule's tests on a JSON record's file names ({@link JsonInputDecoder}); {@code
   *     null} to build every JSON event whole
   */
  public InputDeserializer(InputFormat format, AvroEventDecoder avro, RecordScreen screen) {
    this(format, avro, screen, null);
  }

  /**
   * @param quiet reads the records that stand for runs of quiet records ({@link QuietRuns}); {@code
   *     null} when the consumer writes none
   */
  public InputDeserializer(
      InputFormat format, AvroEventDecoder avro, RecordScreen screen, QuietRuns quiet) {
    this.format = format;
    this.json = new JsonInputDecoder(format, screen);
    this.avro = avro;
    this.quiet = quiet;
  }

  /**
   * As {@link #deserialize(String, byte[])}; a record whose writer schema is named by Confluent 8's
   * {@code __value_schema_id} header is Avro (its payload is the bare Avro body) unless the format
   * is {@code json}.
   */
  @Override
  public Decoded deserialize(String topic, Headers headers, byte[] data) {
    Decoded run = quiet == null ? null : quiet.decode(data);
    if (run != null) {
      return run;
    }
    if (format != InputFormat.JSON && WriterSchemaRef.inValueHeader(headers)) {
      if (data == null || data.length == 0) {
        throw new DecodeException("empty", "the record has no value");
      }
      if (avro == null) {
        throw new DecodeException(
            "avro-unavailable", "an Avro record, but no schema registry is configured");
      }
      return Decoded.single("avro", avro.apply(headers, data));
    }
    return deserialize(topic, data);
  }

  @Override
  public Decoded deserialize(String topic, byte[] data) {
    Decoded run = quiet == null ? null : quiet.decode(data);
    if (run != null) {
      return run;
    }
    if (data == null || data.length == 0) {
      throw new DecodeException("empty", "the record has no value");
    }
    return switch (format) {
      case AVRO -> avro(data);
      case AUTO -> auto(data);
      default -> json.decode(data);
    };
  }

  private Decoded auto(byte[] data) {
    if (data[0] == 0) {
      return avro(data);
    }
    for (byte b : data) {
      if (b == '{') {
        return json.decode(data);
      }
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        break;
      }
    }
    throw new DecodeException(
        "unknown-format",
        String.format(
            "neither Confluent Avro (magic byte 0) nor a JSON object: first byte 0x%02x",
            data[0] & 0xff));
  }

  private Decoded avro(byte[] data) {
    CacheLines.touch(data); // Avro is decoded by dependent loads: fetch its lines in parallel
    if (data[0] != 0) {
      throw new DecodeException(
          "bad-magic-byte",
          String.format("unknown magic byte 0x%02x (Confluent Avro starts with 0x00)", data[0]));
    }
    if (avro == null) {
      throw new DecodeException(
          "avro-unavailable", "an Avro record, but no schema registry is configured");
    }
    return Decoded.single("avro", avro.apply(data));
  }
}
