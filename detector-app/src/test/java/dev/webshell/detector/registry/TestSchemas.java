package dev.webshell.detector.registry;

import dev.webshell.schema.DeviceProcessEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** Schemas shared by the registry tests. */
final class TestSchemas {
  private TestSchemas() {}

  /** The fields of DeviceProcessEvent the detector reads, all else left out. */
  static final Schema PROJECTION =
      new Schema.Parser()
          .parse(
              """
              {"type": "record", "name": "DeviceProcessEvent", "namespace": "dev.webshell.schema",
               "fields": [
                 {"name": "Timestamp", "type": {"type": "long", "logicalType": "timestamp-micros"}},
                 {"name": "DeviceId", "type": {"type": "string", "avro.java.string": "String"}},
                 {"name": "FileName",
                  "type": ["null", {"type": "string", "avro.java.string": "String"}], "default": null},
                 {"name": "ProcessCommandLine",
                  "type": ["null", {"type": "string", "avro.java.string": "String"}], "default": null},
                 {"name": "InitiatingProcessFileName",
                  "type": ["null", {"type": "string", "avro.java.string": "String"}], "default": null}
               ]}
              """);

  /** A tiny record whose Avro binary is easy to write down by hand. */
  static final Schema TINY =
      SchemaBuilder.record("Tiny")
          .namespace("dev.webshell.test")
          .fields()
          .requiredInt("n")
          .requiredString("s")
          .endRecord();

  static GenericRecord tiny(int n, String s) {
    GenericRecord r = new GenericData.Record(TINY);
    r.put("n", n);
    r.put("s", s);
    return r;
  }

  static DeviceProcessEvent event(String deviceId, String fileName, String commandLine) {
    return DeviceProcessEvent.newBuilder()
        .setTimestamp(Instant.parse("2021-04-14T18:49:17.784932Z"))
        .setDeviceId(deviceId)
        .setFileName(fileName)
        .setProcessCommandLine(commandLine)
        .setInitiatingProcessFileName("w3wp.exe")
        .build();
  }

  /** DeviceProcessEvent as a newer producer writes it: one more field, with a default. */
  static Schema deviceProcessEventPlus(String extraField) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : DeviceProcessEvent.getClassSchema().getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(
        new Schema.Field(
            extraField,
            Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
            null,
            Schema.Field.NULL_DEFAULT_VALUE));
    return Schema.createRecord("DeviceProcessEvent", null, "dev.webshell.schema", false, fields);
  }

  /** A generic record of {@code schema} holding the same values as {@code event}. */
  static GenericRecord asGeneric(Schema schema, DeviceProcessEvent event) {
    GenericRecord r = new GenericData.Record(schema);
    for (Schema.Field f : schema.getFields()) {
      Schema.Field old = DeviceProcessEvent.getClassSchema().getField(f.name());
      if (old != null) {
        Object v = event.get(old.pos());
        r.put(f.name(), v instanceof Instant i ? micros(i) : v);
      }
    }
    return r;
  }

  static long micros(Instant i) {
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
  }
}
