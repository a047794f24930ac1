package dev.webshell.detector.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webshell.detector.event.AvroEventDecoder;
import dev.webshell.detector.event.DecodeException;
import dev.webshell.detector.service.RegistryPreflight;
import dev.webshell.detector.service.StartupException;
import dev.webshell.schema.DeviceProcessEvent;
import dev.webshell.schema.WebShellAlert;
import dev.webshell.testkit.registry.ApicurioRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP client and the serde against a real registry: Apicurio's Confluent-compatible API. */
class ApicurioSchemaRegistryTest {
  @AutoClose private static ApicurioRegistry apicurio;
  private static HttpSchemaRegistryClient client;

  @BeforeAll
  static void start() {
    apicurio = ApicurioRegistry.start();
    System.out.println("Apicurio Registry started in " + apicurio.startupTime().toMillis() + " ms");
    client = new HttpSchemaRegistryClient(RegistryConfig.of(apicurio.ccompatUrl()));
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
            RegistryConfig.builder(
                    "http://127.0.0.1:" + dead + "/apis/ccompat/v7," + apicurio.ccompatUrl())
                .retries(FAST)
                .build());
    int id = failover.register("failover-value", TestSchemas.TINY);
    assertEquals(TestSchemas.TINY, failover.getById(id));
  }

  private static final RegistryConfig.Retries FAST =
      new RegistryConfig.Retries(3, Duration.ofMillis(5), Duration.ofMillis(50));

  @Test
  void startupCheckRefusesApicurioWithoutTheCcompatPathWithOneClearLine() {
    RegistryConfig root = RegistryConfig.builder(apicurio.baseUrl()).retries(FAST).build();
    for (boolean register : new boolean[] {false, true}) {
      var e =
          assertThrows(
              StartupException.class,
              () ->
                  RegistryPreflight.check(
                      new HttpSchemaRegistryClient(root), root, "pf-alerts", register));
      assertTrue(
          e.getMessage().contains("is not a Confluent-compatible schema registry API"),
          e.getMessage());
      assertTrue(
          e.getMessage().contains("for Apicurio Registry the URL ends in /apis/ccompat/v7"),
          e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), "one line");
    }
  }

  @Test
  void startupCheckPassesOnTheCcompatUrlAndRegistersTheAlertSchema() {
    RegistryConfig config = RegistryConfig.of(apicurio.ccompatUrl());
    var fresh = new HttpSchemaRegistryClient(config);
    RegistryPreflight.check(fresh, config, "pf-json-alerts", false);
    RegistryPreflight.check(fresh, config, "pf-avro-alerts", true);
    assertEquals(WebShellAlert.getClassSchema(), client.latest("pf-avro-alerts-value").schema());
  }

  @Test
  void startupCheckNamesRefusedCredentialsAndARegistryStillFailingAfterTheRetries() {
    try (FaultProxy proxy = FaultProxy.start(apicurio.baseUrl())) {
      RegistryConfig config =
          RegistryConfig.builder(proxy.url() + ApicurioRegistry.CCOMPAT_PATH).retries(FAST).build();
      proxy.always("/subjects/", FaultProxy.status(401));
      var denied =
          assertThrows(
              StartupException.class,
              () ->
                  RegistryPreflight.check(
                      new HttpSchemaRegistryClient(config), config, "pf-alerts", true));
      assertTrue(
          denied.getMessage().contains("refuses the detector's credentials"), denied.getMessage());
      proxy.heal();
      proxy.always("/subjects/", FaultProxy.status(503));
      var down =
          assertThrows(
              StartupException.class,
              () ->
                  RegistryPreflight.check(
                      new HttpSchemaRegistryClient(config), config, "pf-alerts", false));
      assertTrue(
          down.getMessage().startsWith("cannot use the schema registry at"), down.getMessage());
      assertTrue(down.getMessage().contains("failed 4 times"), down.getMessage());
    }
  }

  @Test
  void clientRidesOutA503AResetConnectionAnHtmlPageAndA429InFrontOfApicurio() {
    int id = client.register("faults-value", TestSchemas.TINY);
    try (FaultProxy proxy = FaultProxy.start(apicurio.baseUrl())) {
      RegistryConfig config =
          RegistryConfig.builder(proxy.url() + ApicurioRegistry.CCOMPAT_PATH)
              .retries(new RegistryConfig.Retries(3, Duration.ofMillis(5), Duration.ofSeconds(5)))
              .build();
      proxy.next("/schemas/ids/", FaultProxy.status(503), FaultProxy.reset(), FaultProxy.html200());
      assertEquals(TestSchemas.TINY, new HttpSchemaRegistryClient(config).getById(id));
      proxy.next("/schemas/ids/", FaultProxy.tooManyRequests(1));
      long t0 = System.nanoTime();
      assertEquals(TestSchemas.TINY, new HttpSchemaRegistryClient(config).getById(id));
      assertTrue(System.nanoTime() - t0 >= 1_000_000_000L, "Retry-After: 1 was honoured");
      assertEquals(4, proxy.injected(), proxy.log().toString());
      assertEquals(2, proxy.forwarded(), proxy.log().toString());
    }
  }

  @Test
  void recordWithAGuidHeaderIsADeadLetterNamingTheFormatSinceApicurioHasNoGuidLookup() {
    int id = client.register("guid-value", DeviceProcessEvent.getClassSchema());
    byte[] prefixed =
        ConfluentAvro.encode(id, TestSchemas.event("dev-g", "cmd.exe", "cmd /c whoami"));
    var headers = new RecordHeaders();
    UUID guid = UUID.randomUUID();
    headers.add(
        WriterSchemaRef.VALUE_HEADER,
        ByteBuffer.allocate(17)
            .put((byte) 1)
            .putLong(guid.getMostSignificantBits())
            .putLong(guid.getLeastSignificantBits())
            .array());
    var decoder = new AvroEventDecoder(client);
    var e =
        assertThrows(
            DecodeException.class,
            () -> decoder.apply(headers, Arrays.copyOfRange(prefixed, 5, prefixed.length)));
    assertEquals("unusable-schema-id-header", e.reason());
    assertTrue(e.getMessage().contains("does not look schemas up by GUID"), e.getMessage());
    // the same schema id in a header (byte 0, 4-byte id) is read
    headers.add(
        WriterSchemaRef.VALUE_HEADER, ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
    assertEquals(
        "dev-g",
        decoder.apply(headers, Arrays.copyOfRange(prefixed, 5, prefixed.length)).deviceId());
  }
}
