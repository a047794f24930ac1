package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.registry.ConfluentAvro;
import dev.webshell.detector.registry.ConfluentAvroDeserializer;
import dev.webshell.detector.registry.MockSchemaRegistryClient;
import dev.webshell.detector.registry.WriterSchemaRef;
import dev.webshell.schema.DeviceProcessEvent;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * Confluent 8's header framing ({@code HeaderSchemaIdSerializer}): the record's {@code
 * __value_schema_id} header holds byte 1 and the schema's 16-byte GUID (or byte 0 and a 4-byte id)
 * and the payload is the bare Avro body. The detector reads it like the prefix framing.
 */
class SchemaIdHeaderTest {
  private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
  private final int id = registry.register("events-value", DeviceProcessEvent.getClassSchema());
  private final DeviceProcessEvent event =
      DeviceProcessEvent.newBuilder()
          .setTimestamp(Instant.parse("2026-01-02T03:04:05.123456Z"))
          .setDeviceId("dev-h")
          .setFileName("cmd.exe")
          .setProcessCommandLine("cmd /c whoami")
          .setInitiatingProcessFileName("w3wp.exe")
          .build();
  private final byte[] prefixed = ConfluentAvro.encode(id, event);
  private final byte[] body =
      Arrays.copyOfRange(prefixed, ConfluentAvro.HEADER_SIZE, prefixed.length);

  private static RecordHeaders header(byte[] value) {
    RecordHeaders h = new RecordHeaders();
    h.add("traceparent", new byte[] {1, 2});
    h.add(WriterSchemaRef.VALUE_HEADER, value);
    return h;
  }

  private static byte[] guidHeader(UUID guid) {
    return ByteBuffer.allocate(17)
        .put((byte) 1)
        .putLong(guid.getMostSignificantBits())
        .putLong(guid.getLeastSignificantBits())
        .array();
  }

  private static byte[] idHeader(int id) {
    return ByteBuffer.allocate(5).put((byte) 0).putInt(id).array();
  }

  @Test
  void shouldReadARecordWhoseSchemaGuidTravelsInTheValueSchemaIdHeader() {
    ProcessEvent expected = new AvroEventDecoder(registry).apply(prefixed);
    RecordHeaders h = header(guidHeader(registry.guid(id)));
    for (InputFormat format : new InputFormat[] {InputFormat.AUTO, InputFormat.AVRO}) {
      InputDeserializer in = new InputDeserializer(format, new AvroEventDecoder(registry));
      Decoded d = in.deserialize("events", h, body);
      assertEquals(expected, d.events().get(0), format.name());
    }
    assertEquals(expected, AvroEventDecoder.genericReaderOnly(registry).apply(h, body));
  }

  @Test
  void shouldReadARecordWhoseSchemaIdTravelsInTheHeader() {
    ProcessEvent expected = new AvroEventDecoder(registry).apply(prefixed);
    AvroEventDecoder decoder = new AvroEventDecoder(registry);
    assertEquals(expected, decoder.apply(header(idHeader(id)), body));
    assertEquals(expected, decoder.apply(prefixed), "and the same id in a prefix after it");
  }

  @Test
  void shouldDeadLetterAnUnknownGuidAndAHeaderInAnotherFormatNamingIt() {
    AvroEventDecoder decoder = new AvroEventDecoder(registry);
    DecodeException unknown =
        assertThrows(
            DecodeException.class, () -> decoder.apply(header(guidHeader(new UUID(1, 2))), body));
    assertEquals("unknown-schema-id", unknown.reason());
    assertTrue(unknown.getMessage().contains("__value_schema_id"), unknown.getMessage());

    DecodeException format =
        assertThrows(
            DecodeException.class, () -> decoder.apply(header(new byte[] {7, 1, 2}), body));
    assertEquals("unusable-schema-id-header", format.reason());
    assertTrue(format.getMessage().contains("Confluent 8"), format.getMessage());
  }

  @Test
  void shouldLetTheHeaderDecideTheFormatWhateverThePayloadsFirstByte() {
    // a bare Avro body starts with the Timestamp's varint: never the JSON or prefix markers
    assertTrue(body[0] != 0 && body[0] != '{');
    InputDeserializer in = new InputDeserializer(InputFormat.AUTO, new AvroEventDecoder(registry));
    DecodeException withoutHeader =
        assertThrows(
            DecodeException.class, () -> in.deserialize("events", new RecordHeaders(), body));
    assertEquals("unknown-format", withoutHeader.reason());
    assertEquals(
        "dev-h",
        in.deserialize("events", header(guidHeader(registry.guid(id))), body)
            .events()
            .get(0)
            .deviceId());
  }

  @Test
  void shouldDeserializeTheHeaderFramingWithTheGenericDeserializerToo() {
    var deserializer = ConfluentAvroDeserializer.specific(registry, DeviceProcessEvent.class);
    assertEquals(
        event, deserializer.deserialize("events", header(guidHeader(registry.guid(id))), body));
    assertEquals(event, deserializer.deserialize("events", new RecordHeaders(), prefixed));
  }
}
