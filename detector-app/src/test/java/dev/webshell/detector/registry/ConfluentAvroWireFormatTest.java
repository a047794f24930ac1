package dev.webshell.detector.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.schema.Evidence;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ConfluentAvroWireFormatTest {
  private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();

  private static Evidence evidence() {
    return Evidence.newBuilder()
        .setTimestamp(Instant.ofEpochSecond(0, 1_000)) // 1 microsecond
        .setProcessId(7L)
        .setProcessCommandLine("ping")
        .build();
  }

  @Test
  void encodeWritesMagicZeroThenBigEndianIdThenAvroBinary() {
    byte[] bytes = ConfluentAvro.encode(0x01020304, TestSchemas.tiny(1, "ab"));
    assertArrayEquals(
        new byte[] {
          0, // magic byte
          0x01,
          0x02,
          0x03,
          0x04, // schema id, big-endian
          0x02, // n = 1, zig-zag varint
          0x04,
          'a',
          'b' // s = "ab": length 2 (zig-zag), then UTF-8
        },
        bytes);
    assertEquals(0x01020304, ConfluentAvro.schemaId(bytes));
  }

  @Test
  void schemaIdAboveSignedByteRangeIsReadUnsigned() {
    byte[] bytes = ConfluentAvro.encode(0x00ff80fe, TestSchemas.tiny(0, ""));
    assertArrayEquals(
        new byte[] {0, 0, (byte) 0xff, (byte) 0x80, (byte) 0xfe}, Arrays.copyOf(bytes, 5));
    assertEquals(0x00ff80fe, ConfluentAvro.schemaId(bytes));
  }

  @Test
  void serializerRegistersUnderTopicValueSubjectAndWritesSpecificRecordByteByByte() {
    byte[] bytes =
        ConfluentAvroSerializer.<Evidence>forValues(registry).serialize("ev", evidence());
    int id = registry.latest("ev-value").id();
    assertEquals(1, id);
    assertArrayEquals(
        new byte[] {
          0,
          0,
          0,
          0,
          1, // magic, id 1
          0x02, // timestamp: 1 µs (timestamp-micros), zig-zag
          0x00, // reportId: union branch 0 = null
          0x02,
          0x0e, // processId: union branch 1 = long, then 7 zig-zag
          0x00, // fileName: null
          0x08,
          'p',
          'i',
          'n',
          'g', // processCommandLine "ping"
          0x00,
          0x00,
          0x00 // accountName, initiatingProcessFileName, ...ParentFileName: null
        },
        bytes);
  }

  @Test
  void keySerializerUsesTopicKeySubject() {
    new ConfluentAvroSerializer<Evidence>(
            registry, true, ConfluentAvroSerializer.SchemaLookup.AUTO_REGISTER)
        .serialize("ev", evidence());
    assertEquals(java.util.List.of("ev-key"), registry.subjects());
  }

  @Test
  void specificRecordRoundTripsThroughSerializerAndDeserializer() {
    byte[] bytes =
        ConfluentAvroSerializer.<Evidence>forValues(registry).serialize("ev", evidence());
    Evidence back =
        ConfluentAvroDeserializer.specific(registry, Evidence.class).deserialize("ev", bytes);
    assertEquals(evidence(), back);
  }

  @Test
  void nullIsATombstoneBothWays() {
    assertNull(ConfluentAvroSerializer.<Evidence>forValues(registry).serialize("ev", null));
    assertNull(
        ConfluentAvroDeserializer.specific(registry, Evidence.class).deserialize("ev", null));
  }

  @Test
  void nonZeroMagicByteIsRejectedAsUnknownMagicByte() {
    byte[] bytes = ConfluentAvro.encode(1, TestSchemas.tiny(1, "ab"));
    bytes[0] = 1;
    var deserializer = ConfluentAvroDeserializer.generic(registry, TestSchemas.TINY);
    SerializationException e =
        assertThrows(SerializationException.class, () -> deserializer.deserialize("t", bytes));
    assertTrue(e.getMessage().contains("unknown magic byte"), e.getMessage());
    byte[] json = "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    e = assertThrows(SerializationException.class, () -> deserializer.deserialize("t", json));
    assertTrue(e.getMessage().contains("unknown magic byte 0x7b"), e.getMessage());
  }

  @Test
  void payloadShorterThanTheHeaderIsRejected() {
    var deserializer = ConfluentAvroDeserializer.generic(registry, TestSchemas.TINY);
    for (int n = 0; n < ConfluentAvro.HEADER_SIZE; n++) {
      byte[] bytes = new byte[n];
      SerializationException e =
          assertThrows(SerializationException.class, () -> deserializer.deserialize("t", bytes));
      assertTrue(e.getMessage().contains("too short"), e.getMessage());
    }
  }

  @Test
  void everyTruncationOfAValidPayloadIsASerializationExceptionNeverAnNpe() {
    int id = registry.register("t-value", TestSchemas.TINY);
    byte[] bytes = ConfluentAvro.encode(id, TestSchemas.tiny(1, "ab"));
    var deserializer = ConfluentAvroDeserializer.generic(registry, TestSchemas.TINY);
    for (int n = ConfluentAvro.HEADER_SIZE; n < bytes.length; n++) {
      byte[] cut = Arrays.copyOf(bytes, n);
      SerializationException e =
          assertThrows(SerializationException.class, () -> deserializer.deserialize("t", cut));
      assertTrue(e.getMessage().contains("schema id " + id), e.getMessage());
    }
  }

  @Test
  void garbageBodyIsASerializationException() {
    int id = registry.register("t-value", TestSchemas.TINY);
    byte[] bytes = ConfluentAvro.encode(id, TestSchemas.tiny(1, "ab"));
    bytes[6] = (byte) 0x7f; // string length -64
    var deserializer = ConfluentAvroDeserializer.generic(registry, TestSchemas.TINY);
    assertThrows(SerializationException.class, () -> deserializer.deserialize("t", bytes));
  }

  @Test
  void unknownSchemaIdIsNamedInTheException() {
    byte[] bytes = ConfluentAvro.encode(4242, TestSchemas.tiny(1, "ab"));
    var deserializer = ConfluentAvroDeserializer.generic(registry, TestSchemas.TINY);
    SerializationException e =
        assertThrows(SerializationException.class, () -> deserializer.deserialize("t", bytes));
    assertTrue(e.getMessage().contains("unknown schema id 4242"), e.getMessage());
    assertTrue(e.getCause() instanceof SchemaRegistryException);
  }

  @Test
  void writerSchemaIsFetchedOncePerIdAndTheReaderReused() {
    AtomicInteger fetches = new AtomicInteger();
    SchemaRegistryClient counting =
        new SchemaRegistryClient() {
          @Override
          public Schema getById(int id) {
            fetches.incrementAndGet();
            return registry.getById(id);
          }

          @Override
          public Schema getByGuid(java.util.UUID guid) {
            fetches.incrementAndGet();
            return registry.getByGuid(guid);
          }

          @Override
          public int register(String subject, Schema schema) {
            return registry.register(subject, schema);
          }

          @Override
          public RegisteredSchema latest(String subject) {
            return registry.latest(subject);
          }
        };
    int id = registry.register("t-value", TestSchemas.TINY);
    var deserializer = ConfluentAvroDeserializer.generic(counting, TestSchemas.TINY);
    for (int i = 0; i < 5; i++) {
      GenericRecord r =
          deserializer.deserialize("t", ConfluentAvro.encode(id, TestSchemas.tiny(i, "x")));
      assertEquals(i, r.get("n"));
    }
    assertEquals(1, fetches.get());
  }

  @Test
  void useLatestWritesTheLatestIdWithoutRegistering() {
    registry.register("t-value", TestSchemas.TINY);
    var serializer =
        new ConfluentAvroSerializer<GenericRecord>(
            registry, false, ConfluentAvroSerializer.SchemaLookup.USE_LATEST);
    byte[] bytes = serializer.serialize("t", TestSchemas.tiny(1, "ab"));
    assertEquals(1, ConfluentAvro.schemaId(bytes));
    SerializationException e =
        assertThrows(
            SerializationException.class,
            () -> serializer.serialize("other", TestSchemas.tiny(1, "")));
    assertTrue(e.getMessage().contains("other-value"), e.getMessage());
    assertEquals(java.util.List.of("t-value"), registry.subjects());
  }
}
