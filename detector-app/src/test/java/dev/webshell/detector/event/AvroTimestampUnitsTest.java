package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.registry.ConfluentAvro;
import dev.webshell.detector.registry.MockSchemaRegistryClient;
import dev.webshell.schema.DeviceProcessEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Writer schemas whose Timestamp is not the detector's {@code timestamp-micros}: {@code
 * timestamp-millis} (Kafka Connect, ksqlDB, Flink) and {@code timestamp-nanos} are scaled to
 * microseconds, never read 1000 times off; a Timestamp whose unit is unknown or that is no instant
 * is refused with the reason, per writer schema, by both readers alike.
 */
class AvroTimestampUnitsTest {
  private static final long MICROS = 1_700_000_000_123_456L; // 2023-11-14T22:13:20.123456Z
  private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
  private final List<AvroEventDecoder> decoders =
      List.of(new AvroEventDecoder(registry), AvroEventDecoder.genericReaderOnly(registry));
  private int subjects;

  private static Schema timestamp(String logicalType) {
    Schema s = Schema.create(Schema.Type.LONG);
    if (logicalType != null) {
      s.addProp("logicalType", logicalType);
    }
    return s;
  }

  /** DeviceProcessEvent with its Timestamp field of type {@code type}. */
  private static Schema writerWithTimestamp(Schema type) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : DeviceProcessEvent.getClassSchema().getFields()) {
      fields.add(
          f.name().equals("Timestamp")
              ? new Schema.Field("Timestamp", type, null, (Object) null)
              : new Schema.Field(f, f.schema()));
    }
    return Schema.createRecord("DeviceProcessEvent", null, "dev.webshell.schema", false, fields);
  }

  private byte[] record(Schema writer, Object timestamp) {
    int id = registry.register("t" + subjects++ + "-value", writer);
    GenericRecord r = new GenericData.Record(writer);
    r.put("Timestamp", timestamp);
    r.put("DeviceId", "dev-1");
    r.put("FileName", "cmd.exe");
    r.put("ProcessCommandLine", "cmd /c whoami");
    r.put("InitiatingProcessFileName", "w3wp.exe");
    return ConfluentAvro.encode(id, r);
  }

  @Test
  void shouldScaleTimestampMillisToMicroseconds() {
    byte[] bytes = record(writerWithTimestamp(timestamp("timestamp-millis")), MICROS / 1000);
    for (AvroEventDecoder d : decoders) {
      assertEquals(MICROS / 1000 * 1000, d.apply(bytes).timestampMicros());
    }
  }

  @Test
  void shouldScaleANullableTimestampMillisToo() {
    Schema nullable =
        Schema.createUnion(Schema.create(Schema.Type.NULL), timestamp("timestamp-millis"));
    byte[] bytes = record(writerWithTimestamp(nullable), MICROS / 1000);
    for (AvroEventDecoder d : decoders) {
      assertEquals(MICROS / 1000 * 1000, d.apply(bytes).timestampMicros());
    }
  }

  @Test
  void shouldReadTimestampMicrosAsIsAndCutTimestampNanosToMicroseconds() {
    byte[] micros = record(writerWithTimestamp(timestamp("timestamp-micros")), MICROS);
    byte[] nanos = record(writerWithTimestamp(timestamp("timestamp-nanos")), MICROS * 1000 + 999);
    byte[] before1970 = record(writerWithTimestamp(timestamp("timestamp-nanos")), -1L);
    for (AvroEventDecoder d : decoders) {
      assertEquals(MICROS, d.apply(micros).timestampMicros());
      assertEquals(MICROS, d.apply(nanos).timestampMicros());
      assertEquals(-1L, d.apply(before1970).timestampMicros(), "rounded down, not toward 0");
    }
  }

  @Test
  void shouldDeadLetterAMillisecondTimestampThatOverflowsMicroseconds() {
    byte[] bytes = record(writerWithTimestamp(timestamp("timestamp-millis")), Long.MAX_VALUE / 10);
    for (AvroEventDecoder d : decoders) {
      DecodeException e = assertThrows(DecodeException.class, () -> d.apply(bytes));
      assertEquals("bad-timestamp", e.reason());
    }
  }

  @Test
  void shouldRefuseATimestampWhoseUnitIsUnknownOrThatIsNoInstantNamingIt() {
    Object[][] cases = {
      {timestamp(null), MICROS, "a long without a logicalType"},
      {timestamp("local-timestamp-millis"), MICROS / 1000, "local-timestamp-millis"},
      {timestamp("local-timestamp-micros"), MICROS, "without a time zone"},
      {Schema.create(Schema.Type.STRING), "2023-11-14T22:13:20Z", "of type string"},
      {Schema.create(Schema.Type.INT), 1_700_000_000, "of type int"},
      {
        SchemaBuilder.unionOf().nullType().and().stringType().and().longType().endUnion(),
        "2023-11-14T22:13:20Z",
        "of type string"
      },
    };
    for (Object[] c : cases) {
      byte[] bytes = record(writerWithTimestamp((Schema) c[0]), c[1]);
      for (AvroEventDecoder d : decoders) {
        DecodeException e = assertThrows(DecodeException.class, () -> d.apply(bytes));
        assertEquals("unusable-schema", e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
        assertTrue(e.getMessage().contains("timestamp-millis"), "says what would do");
        assertTrue(e.getMessage().startsWith("writer schema id "), e.getMessage());
      }
    }
  }
}
