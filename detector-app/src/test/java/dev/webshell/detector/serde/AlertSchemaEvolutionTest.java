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
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** The alert schema gained {@code status} (default "open") at its end: both ways compatible. */
class AlertSchemaEvolutionTest {
  static Schema before() throws Exception {
    try (InputStream in =
        AlertSchemaEvolutionTest.class.getResourceAsStream(
            "/avro/WebShellAlert-before-status.avsc")) {
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
    // an old writer's bytes: the new record without its last field, written with the old schema
    WebShellAlert a = TestAlerts.open(2).build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<WebShellAlert>(WebShellAlert.getClassSchema()).write(a, enc);
    enc.flush();
    byte[] withStatus = out.toByteArray();
    byte[] withoutStatus = java.util.Arrays.copyOf(withStatus, withStatus.length - 5); // "open"
    WebShellAlert read =
        new SpecificDatumReader<WebShellAlert>(old, WebShellAlert.getClassSchema())
            .read(null, DecoderFactory.get().binaryDecoder(withoutStatus, null));
    assertEquals("open", read.getStatus());
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
}
