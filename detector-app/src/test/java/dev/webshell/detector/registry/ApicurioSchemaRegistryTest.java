package dev.webshell.detector.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webshell.testkit.registry.ApicurioRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP client and the serde against a real registry: Apicurio's Confluent-compatible API. */
class ApicurioSchemaRegistryTest {
  private static ApicurioRegistry apicurio;
  private static HttpSchemaRegistryClient client;

  @BeforeAll
  static void start() {
    apicurio = ApicurioRegistry.start();
    System.out.println("Apicurio Registry started in " + apicurio.startupTime().toMillis() + " ms");
    client = new HttpSchemaRegistryClient(RegistryConfig.of(apicurio.ccompatUrl()));
  }

  @AfterAll
  static void stop() {
    if (apicurio != null) {
      apicurio.close();
    }
  }

  private static Schema tinyWith(String extraField) {
    return SchemaBuilder.record("Tiny")
        .namespace("dev.webshell.test")
        .fields()
        .requiredInt("n")
        .requiredString("s")
        .name(extraField)
        .type()
        .stringType()
        .stringDefault("")
        .endRecord();
  }

  /**
   * Two clients (two stream threads or two instances writing their first alerts) register the same
   * schema under a new subject at the same moment: Apicurio refuses one of the two with 409
   * "already exists"; the client registers again and both get the same id.
   */
  @Test
  void concurrentFirstRegistrationsOfASubjectBothGetTheSameId() throws Exception {
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 12; round++) {
        String subject = "concurrent-" + round + "-value";
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.Future<Integer>> ids = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
          var own = new HttpSchemaRegistryClient(RegistryConfig.of(apicurio.ccompatUrl()));
          ids.add(
              pool.submit(
                  () -> {
                    go.await();
                    return own.register(subject, TestSchemas.TINY);
                  }));
        }
        go.countDown();
        int first = ids.get(0).get();
        for (var id : ids) {
          assertEquals(first, id.get(), subject);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void registerIsIdempotentAndGetByIdAndLatestReturnTheSchema() {
    int id = client.register("http-client-value", TestSchemas.TINY);
    // a second client has no cache: the registry itself must answer with the same id
    var fresh = new HttpSchemaRegistryClient(RegistryConfig.of(apicurio.ccompatUrl()));
    assertEquals(id, fresh.register("http-client-value", TestSchemas.TINY));
    assertEquals(TestSchemas.TINY, fresh.getById(id));
    assertEquals(
        new RegisteredSchema("http-client-value", id, 1, TestSchemas.TINY),
        fresh.latest("http-client-value"));

    int id2 = fresh.register("http-client-value", tinyWith("added"));
    RegisteredSchema latest = fresh.latest("http-client-value");
    assertEquals(id2, latest.id());
    assertEquals(2, latest.version());
    assertEquals(tinyWith("added"), latest.schema());
  }

  @Test
  void incompatibleSchemaIs409WithApicuriosMessageVerbatim() throws Exception {
    String subject = "verbatim-value";
    client.register(subject, TestSchemas.TINY);
    Schema intS =
        SchemaBuilder.record("Tiny")
            .namespace("dev.webshell.test")
            .fields()
            .requiredInt("n")
            .requiredInt("s")
            .endRecord();
    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> client.register(subject, intS));
    assertEquals(409, e.status());
    assertEquals(409, e.errorCode());
    assertTrue(e.getMessage().contains(e.registryMessage()), e.getMessage());

    // the very same request sent by hand: its "message" is what the exception carries
    String body =
        new ObjectMapper()
            .createObjectNode()
            .put("schema", intS.toString())
            .put("schemaType", "AVRO")
            .toString();
    HttpResponse<String> raw =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(apicurio.ccompatUrl() + "/subjects/" + subject + "/versions"))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(409, raw.statusCode());
    assertEquals(
        new ObjectMapper().readTree(raw.body()).get("message").asText(), e.registryMessage());
    assertTrue(e.registryMessage().contains("Incompatible"), e.registryMessage());
  }

  @Test
  void unknownIdIs404WithTheRegistrysMessage() {
    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> client.getById(987_654));
    assertEquals(404, e.status());
    assertEquals(SchemaRegistryException.SCHEMA_NOT_FOUND, e.errorCode());
    assertTrue(e.registryMessage().contains("987654"), e.registryMessage());

    SchemaRegistryException subject =
        assertThrows(SchemaRegistryException.class, () -> client.latest("no-such-subject"));
    assertEquals(404, subject.status());
    assertEquals(SchemaRegistryException.SUBJECT_NOT_FOUND, subject.errorCode());
  }

  @Test
  void deserializerNamesAnIdApicurioDoesNotKnow() {
    byte[] bytes = ConfluentAvro.encode(987_655, TestSchemas.tiny(1, "x"));
    var deserializer = ConfluentAvroDeserializer.generic(client, TestSchemas.TINY);
    var e =
        assertThrows(
            org.apache.kafka.common.errors.SerializationException.class,
            () -> deserializer.deserialize("t", bytes));
    assertTrue(e.getMessage().contains("unknown schema id 987655"), e.getMessage());
  }

  @Test
  void projectionReadsEventsOfTheGeneratedSchemaAndOfANewerSchemaWithAnExtraField() {
    SchemaEvolutionTest.evolutionCases(client, "apicurio-events");
  }

  @Test
  void fieldTurnedNullableAndNullIsReadAsNullByTheProjection() {
    SchemaEvolutionTest.nullableCase(client, "apicurio-nullable");
  }

  @Test
  void incompatibleSchemaIsRefusedThroughTheSerializerWithApicuriosMessage() {
    SchemaRegistryException e =
        SchemaEvolutionTest.incompatibleCase(client, "apicurio-incompatible");
    assertTrue(e.registryMessage().contains("RuleViolationException"), e.registryMessage());
  }

  @Test
  void secondUrlServesWhenTheFirstIsDown() throws IOException {
    int dead;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      dead = s.getLocalPort();
    }
    var failover =
        new HttpSchemaRegistryClient(
            RegistryConfig.of(
                "http://127.0.0.1:" + dead + "/apis/ccompat/v7," + apicurio.ccompatUrl()));
    int id = failover.register("failover-value", TestSchemas.TINY);
    assertEquals(TestSchemas.TINY, failover.getById(id));
  }
}
