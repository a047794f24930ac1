package dev.webshell.detector.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.schema.DeviceProcessEvent;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Producers evolve their schema; the detector reads with a fixed projection. Run against the
 * in-memory registry; {@link ApicurioSchemaRegistryTest} runs the same cases against Apicurio.
 */
class SchemaEvolutionTest {
  private static final String SCOPE = "schema-evolution-test";
  private final SchemaRegistryClient registry =
      SchemaRegistryClients.create(RegistryConfig.of("mock://" + SCOPE));

  @AfterEach
  void dropScope() {
    MockSchemaRegistryClient.dropScope(SCOPE);
  }

  @Test
  void projectionReadsEventsOfTheGeneratedSchemaAndOfANewerSchemaWithAnExtraField() {
    evolutionCases(registry, "events");
  }

  @Test
  void fieldTurnedNullableAndNullIsReadAsNullByTheProjection() {
    nullableCase(registry, "nullable");
  }

  @Test
  void incompatibleSchemaIsRefusedWithTheRegistrys409Message() {
    SchemaRegistryException e = incompatibleCase(registry, "incompatible");
    assertTrue(
        e.registryMessage()
            .startsWith(
                "Schema being registered is incompatible with an earlier schema for subject"
                    + " \"incompatible-value\""),
        e.registryMessage());
    assertTrue(e.registryMessage().contains("{compatibility: 'BACKWARD'}"), e.registryMessage());
  }

  /** v1 (generated class) and v2 (one more field) both read by the projection and the class. */
  static void evolutionCases(SchemaRegistryClient registry, String topic) {
    DeviceProcessEvent v1 = TestSchemas.event("dev-1", "cmd.exe", "cmd /c whoami");
    Schema v2Schema = TestSchemas.deviceProcessEventPlus("SomethingNew");
    GenericRecord v2 =
        TestSchemas.asGeneric(v2Schema, TestSchemas.event("dev-2", "powershell.exe", "ping x"));
    v2.put("SomethingNew", "extra");

    byte[] v1Bytes =
        ConfluentAvroSerializer.<DeviceProcessEvent>forValues(registry).serialize(topic, v1);
    byte[] v2Bytes =
        ConfluentAvroSerializer.<GenericRecord>forValues(registry).serialize(topic, v2);
    assertTrue(ConfluentAvro.schemaId(v1Bytes) != ConfluentAvro.schemaId(v2Bytes));
    assertEquals(2, registry.latest(topic + "-value").version());

    var projection = ConfluentAvroDeserializer.generic(registry, TestSchemas.PROJECTION);
    GenericRecord p1 = projection.deserialize(topic, v1Bytes);
    GenericRecord p2 = projection.deserialize(topic, v2Bytes);
    assertEquals(TestSchemas.PROJECTION, p1.getSchema());
    assertEquals("dev-1", p1.get("DeviceId"));
    assertEquals("cmd /c whoami", p1.get("ProcessCommandLine"));
    assertEquals("w3wp.exe", p1.get("InitiatingProcessFileName"));
    assertEquals(TestSchemas.micros(v1.getTimestamp()), p1.get("Timestamp"));
    assertEquals("dev-2", p2.get("DeviceId"));
    assertEquals("powershell.exe", p2.get("FileName"));
    assertNull(p2.getSchema().getField("SomethingNew"));

    // the generated class reads the newer writer too, dropping the field it does not know
    var specific = ConfluentAvroDeserializer.specific(registry, DeviceProcessEvent.class);
    assertEquals(v1, specific.deserialize(topic, v1Bytes));
    DeviceProcessEvent s2 = specific.deserialize(topic, v2Bytes);
    assertEquals("ping x", s2.getProcessCommandLine());
    assertEquals(v1.getTimestamp(), s2.getTimestamp());
  }

  /** A field the detector reads was a plain string and becomes ["null","string"]; null arrives. */
  static void nullableCase(SchemaRegistryClient registry, String topic) {
    Schema v1 =
        SchemaBuilder.record("Proc")
            .namespace("dev.webshell.test")
            .fields()
            .requiredString("DeviceId")
            .requiredString("FileName")
            .endRecord();
    Schema v2 =
        SchemaBuilder.record("Proc")
            .namespace("dev.webshell.test")
            .fields()
            .requiredString("DeviceId")
            .optionalString("FileName") // union {null, string}, default null
            .endRecord();
    Schema reader = v2; // the detector reads the field as nullable
    GenericRecord old = new GenericData.Record(v1);
    old.put("DeviceId", "d1");
    old.put("FileName", "cmd.exe");
    GenericRecord now = new GenericData.Record(v2);
    now.put("DeviceId", "d2");
    now.put("FileName", null);

    var serializer = ConfluentAvroSerializer.<GenericRecord>forValues(registry);
    byte[] oldBytes = serializer.serialize(topic, old);
    byte[] newBytes = serializer.serialize(topic, now); // BACKWARD-compatible: accepted
    var deserializer = ConfluentAvroDeserializer.generic(registry, reader);
    assertEquals("cmd.exe", deserializer.deserialize(topic, oldBytes).get("FileName").toString());
    GenericRecord read = deserializer.deserialize(topic, newBytes);
    assertEquals("d2", read.get("DeviceId").toString());
    assertNull(read.get("FileName"));
  }

  /** DeviceId changes type: the registry refuses, the serializer says why and keeps the cause. */
  static SchemaRegistryException incompatibleCase(SchemaRegistryClient registry, String topic) {
    ConfluentAvroSerializer.<DeviceProcessEvent>forValues(registry)
        .serialize(topic, TestSchemas.event("d", "cmd.exe", "whoami"));
    Schema broken =
        SchemaBuilder.record("DeviceProcessEvent")
            .namespace("dev.webshell.schema")
            .fields()
            .requiredLong("Timestamp")
            .requiredInt("DeviceId")
            .endRecord();
    GenericRecord r = new GenericData.Record(broken);
    r.put("Timestamp", 1L);
    r.put("DeviceId", 5);
    SerializationException e =
        assertThrows(
            SerializationException.class,
            () -> ConfluentAvroSerializer.<GenericRecord>forValues(registry).serialize(topic, r));
    SchemaRegistryException cause = assertInstanceOf(SchemaRegistryException.class, e.getCause());
    assertEquals(409, cause.status());
    assertEquals(SchemaRegistryException.INCOMPATIBLE_SCHEMA, cause.errorCode());
    assertTrue(e.getMessage().contains(cause.registryMessage()), e.getMessage());
    assertTrue(cause.getMessage().contains(cause.registryMessage()), cause.getMessage());
    assertEquals(1, registry.latest(topic + "-value").version());
    return cause;
  }
}
