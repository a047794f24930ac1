package dev.webshell.detector.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.webshell.detector.notify.source.AlertDecoder;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.MockSchemaRegistryClient;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.registry.SchemaRegistryException;
import dev.webshell.detector.serde.AlertJson;
import dev.webshell.detector.siem.EcsAlert;
import dev.webshell.detector.siem.OcsfDetectionFinding;
import dev.webshell.detector.siem.TestAlerts;
import dev.webshell.schema.WebShellAlert;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertDecoderTest {
  private static final String SCOPE = "alert-decoder-test";
  private final SchemaRegistryClient registry =
      SchemaRegistryClients.create(RegistryConfig.of("mock://" + SCOPE));

  @AfterEach
  void drop() {
    MockSchemaRegistryClient.dropScope(SCOPE);
  }

  private static WebShellAlert alert(AlertDecoder.Decoded d) {
    return assertInstanceOf(AlertDecoder.Alert.class, d).alert();
  }

  private static String reason(AlertDecoder.Decoded d) {
    return assertInstanceOf(AlertDecoder.Unreadable.class, d).reason();
  }

  @Test
  void shouldReadTheJsonAndTheAvroFormsAlikeDetectedPerRecord() throws Exception {
    AlertDecoder decoder = new AlertDecoder(registry);
    WebShellAlert a = TestAlerts.closed(2).build();
    byte[] json = AlertJson.toJson(a).getBytes(StandardCharsets.UTF_8);
    byte[] avro = ConfluentAvroSerializer.<WebShellAlert>forValues(registry).serialize("alerts", a);
    assertEquals(a, alert(decoder.decode("alerts", json)));
    assertEquals(a, alert(decoder.decode("alerts", avro)));
    assertEquals(
        a,
        alert(
            decoder.decode(
                "alerts", ("  \n" + AlertJson.toJson(a)).getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void shouldReadAvroAlertsOfTheSchemaBeforeStatusAsOpen() throws Exception {
    Schema.Parser parser = new Schema.Parser();
    parser.parse(dev.webshell.schema.Evidence.getClassSchema().toString());
    Schema old = parser.parse(getClass().getResourceAsStream("/avro/WebShellAlert-v1.avsc"));
    int id = registry.register("alerts-value", old);
    WebShellAlert a = TestAlerts.open(3).build();
    var writer =
        new org.apache.avro.specific.SpecificDatumWriter<WebShellAlert>(
            WebShellAlert.getClassSchema());
    var out = new java.io.ByteArrayOutputStream();
    out.write(new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
    var enc = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    writer.write(a, enc);
    enc.flush();
    byte[] withStatus = out.toByteArray();
    byte[] oldBytes = java.util.Arrays.copyOf(withStatus, withStatus.length - 5);
    assertEquals("open", alert(new AlertDecoder(registry).decode("alerts", oldBytes)).getStatus());
  }

  @Test
  void shouldSayWhyARecordIsNotAnAlertItCanRead() throws Exception {
    AlertDecoder jsonOnly = new AlertDecoder(null);
    WebShellAlert a = TestAlerts.open(1).build();
    byte[] avro = ConfluentAvroSerializer.<WebShellAlert>forValues(registry).serialize("alerts", a);
    assertEquals("avro-without-registry", reason(jsonOnly.decode("alerts", avro)));
    assertEquals("siem-format", reason(jsonOnly.decode("alerts", OcsfDetectionFinding.toBytes(a))));
    assertEquals("siem-format", reason(jsonOnly.decode("alerts", EcsAlert.toBytes(a))));
    assertEquals(
        "bad-json",
        reason(jsonOnly.decode("alerts", "{\"alertId\":1}".getBytes(StandardCharsets.UTF_8))));
    assertEquals(
        "unknown-format",
        reason(jsonOnly.decode("alerts", "hello".getBytes(StandardCharsets.UTF_8))));
    assertEquals("empty", reason(jsonOnly.decode("alerts", new byte[0])));
    assertEquals(
        "bad-avro",
        reason(new AlertDecoder(registry).decode("alerts", new byte[] {0, 0, 0, 0, 99, 1})));
  }

  @Test
  void shouldTreatAnUnreachableRegistryAsTransientNotAsTheRecordsFault() {
    SchemaRegistryClient down =
        new SchemaRegistryClient() {
          @Override
          public Schema getById(int id) {
            throw refused();
          }

          @Override
          public Schema getByGuid(java.util.UUID guid) {
            throw refused();
          }

          @Override
          public int register(String subject, Schema schema) {
            throw refused();
          }

          @Override
          public dev.webshell.detector.registry.RegisteredSchema latest(String subject) {
            throw refused();
          }

          /** What every call to a registry that does not answer gets. */
          private SchemaRegistryException refused() {
            return new SchemaRegistryException(
                "connection refused", 0, -1, "connection refused", null);
          }
        };
    assertThrows(
        AlertDecoder.RegistryUnavailable.class,
        () -> new AlertDecoder(down).decode("alerts", new byte[] {0, 0, 0, 0, 7, 2}));
  }
}
