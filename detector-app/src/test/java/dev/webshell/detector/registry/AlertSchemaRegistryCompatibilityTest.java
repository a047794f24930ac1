package dev.webshell.detector.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.siem.TestAlerts;
import dev.webshell.schema.Evidence;
import dev.webshell.schema.WebShellAlert;
import dev.webshell.testkit.registry.ApicurioRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a real registry (Apicurio's Confluent-compatible API) with BACKWARD compatibility enforced:
 * the alert schema of this version is accepted as a new version of the first published one (the
 * fields it added have defaults), and a consumer built on the first version reads the new alerts,
 * closing revisions included, through the registry.
 */
class AlertSchemaRegistryCompatibilityTest {
  @AutoClose static ApicurioRegistry apicurio;

  @BeforeAll
  static void start() {
    apicurio = ApicurioRegistry.start();
  }

  static Schema version1() throws Exception {
    try (InputStream in =
        AlertSchemaRegistryCompatibilityTest.class.getResourceAsStream(
            "/avro/WebShellAlert-v1.avsc")) {
      Schema.Parser parser = new Schema.Parser();
      parser.parse(Evidence.getClassSchema().toString());
      return parser.parse(in);
    }
  }

  static void requireBackwardCompatibility(String subject) throws Exception {
    HttpResponse<String> r =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create(apicurio.ccompatUrl() + "/config/" + subject))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"BACKWARD\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
  }

  @Test
  void shouldRegisterTheNewAlertSchemaAsABackwardCompatibleVersionAndServeOldConsumers()
      throws Exception {
    String subject = "compat-alerts-value";
    try (SchemaRegistryClient client =
        SchemaRegistryClients.create(RegistryConfig.of(apicurio.ccompatUrl()))) {
      int v1 = client.register(subject, version1());
      requireBackwardCompatibility(subject);

      // the check is on: a field added without a default is refused
      Schema broken =
          SchemaBuilder.record("WebShellAlert")
              .namespace("dev.webshell.schema")
              .fields()
              .requiredString("alertId")
              .requiredString("mandatoryNewField")
              .endRecord();
      assertThrows(RuntimeException.class, () -> client.register(subject, broken));

      // this version's schema is accepted as the next version
      ConfluentAvroSerializer<WebShellAlert> writer = ConfluentAvroSerializer.forValues(client);
      byte[] closing = writer.serialize("compat-alerts", TestAlerts.closed(3).build());
      int v2 = client.latest(subject).id();
      assertNotEquals(v1, v2);
      assertEquals(WebShellAlert.getClassSchema(), client.latest(subject).schema());

      // a consumer built on version 1 reads the new alert with its own schema
      ConfluentAvroDeserializer<GenericRecord> oldConsumer =
          ConfluentAvroDeserializer.generic(client, version1());
      GenericRecord read = oldConsumer.deserialize("compat-alerts", closing);
      assertEquals(version1(), read.getSchema());
      assertEquals(TestAlerts.closed(3).build().getAlertId(), read.get("alertId").toString());
      assertEquals(4, read.get("revision"));
      assertTrue(read.getSchema().getField("status") == null);
    } catch (SerializationException e) {
      throw new AssertionError("the registry refused the new schema: " + e.getMessage(), e);
    }
  }
}
