package dev.webshell.detector.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.webshell.detector.siem.TestAlerts;
import dev.webshell.schema.WebShellAlert;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * The alert schema gained {@code aheadOfClock} (default false) and {@code status} (default "open")
 * at its end: both ways compatible with the first published version ({@code
 * WebShellAlert-v1.avsc}). On a real registry: {@code AlertSchemaRegistryCompatibilityTest}.
 */
class AlertSchemaEvolutionTest {
  static Schema before() throws Exception {
    try (InputStream in =
        AlertSchemaEvolutionTest.class.getResourceAsStream("/avro/WebShellAlert-v1.avsc")) {
      Schema.Parser parser = new Schema.Parser();
      parser.parse(dev.webshell.schema.Evidence.getClassSchema().toString());
      return parser.parse(in);
    }
  }

  @Test
  void shouldReadAlertsWrittenBeforeStatusExistedAsOpen() throws Exception {
    Schema old = before();
    assertEquals(
        SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE,
        SchemaCompatibility.checkReaderWriterCompatibility(WebShellAlert.getClassSchema(), old)
            .getType());
    // an old writer's bytes: the alert's fields that version 1 had, written with version 1
    WebShellAlert a = TestAlerts.open(2).build();
    GenericRecord v1 = new GenericData.Record(old);
    for (Schema.Field f : old.getFields()) {
      v1.put(f.name(), toGeneric(a.get(f.name()), f.schema()));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(old).write(v1, enc);
    enc.flush();
    WebShellAlert read =
        new SpecificDatumReader<WebShellAlert>(old, WebShellAlert.getClassSchema())
            .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    assertEquals("open", read.getStatus());
    assertEquals(false, read.getAheadOfClock());
    assertEquals(a, read);
  }

  @Test
  void shouldLetAConsumerOfTheOldSchemaReadNewAlertsIncludingClosingOnes() throws Exception {
    Schema old = before();
    assertEquals(
        SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE,
        SchemaCompatibility.checkReaderWriterCompatibility(old, WebShellAlert.getClassSchema())
            .getType());
    WebShellAlert closed = TestAlerts.closed(3).build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<WebShellAlert>(WebShellAlert.getClassSchema()).write(closed, enc);
    enc.flush();
    GenericRecord read =
        new GenericDatumReader<GenericRecord>(
                WebShellAlert.getClassSchema(), old, GenericData.get())
            .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    assertEquals(closed.getAlertId(), read.get("alertId").toString());
    assertEquals(4, read.get("revision"));
  }

  /** A specific value as the generic writer of version 1 takes it (records and their lists). */
  private static Object toGeneric(Object v, Schema schema) {
    if (v instanceof org.apache.avro.specific.SpecificRecord r) {
      Schema s = schema.getType() == Schema.Type.UNION ? schema.getTypes().get(1) : schema;
      GenericRecord g = new GenericData.Record(s);
      for (Schema.Field f : s.getFields()) {
        g.put(f.name(), toGeneric(r.get(r.getSchema().getField(f.name()).pos()), f.schema()));
      }
      return g;
    }
    if (v instanceof java.util.List<?> list && schema.getType() == Schema.Type.ARRAY) {
      return list.stream().map(x -> toGeneric(x, schema.getElementType())).toList();
    }
    if (v instanceof java.time.Instant i) {
      return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }
    return v;
  }
}
