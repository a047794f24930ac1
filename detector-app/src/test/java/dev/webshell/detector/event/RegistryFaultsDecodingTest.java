package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.webshell.detector.registry.ConfluentAvro;
import dev.webshell.detector.registry.HttpSchemaRegistryClient;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.RegistryMisconfiguredException;
import dev.webshell.detector.registry.RegistryUnavailableException;
import dev.webshell.schema.DeviceProcessEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The decoder against a registry answering each way it can fail: only the record's own faults
 * (unknown id with Confluent's 40403, a schema that cannot be used) are dead letters; a registry
 * that still fails after the retries is {@link RegistryUnavailableException} (the record waits),
 * refused credentials and a URL that is no Confluent API are {@link
 * RegistryMisconfiguredException}; and a decoder that met an outage reads the same record once the
 * registry answers again.
 */
class RegistryFaultsDecodingTest {
  private static final RegistryConfig.Retries FAST =
      new RegistryConfig.Retries(3, Duration.ofMillis(5), Duration.ofMillis(20));
  private HttpServer server;
  private volatile int status;
  private volatile String body;
  private AvroEventDecoder decoder;
  private final byte[] record =
      ConfluentAvro.encode(
          7,
          DeviceProcessEvent.newBuilder()
              .setTimestamp(Instant.parse("2026-01-02T03:04:05Z"))
              .setDeviceId("dev-r")
              .setFileName("cmd.exe")
              .build());

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          byte[] out = body.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(status, out.length);
          ex.getResponseBody().write(out);
          ex.close();
        });
    server.start();
    decoder =
        new AvroEventDecoder(
            new HttpSchemaRegistryClient(
                RegistryConfig.builder("http://127.0.0.1:" + server.getAddress().getPort())
                    .retries(FAST)
                    .build()));
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void answer(int status, String body) {
    this.status = status;
    this.body = body;
  }

  private static String schema(String type) throws IOException {
    return new ObjectMapper()
        .createObjectNode()
        .put("schemaType", type)
        .put("schema", DeviceProcessEvent.getClassSchema().toString())
        .toString();
  }

  @Test
  void shouldWaitOutAnOutageAndReadTheSameRecordOnceTheRegistryAnswers() throws IOException {
    for (int s : new int[] {500, 502, 503, 504, 408, 429}) {
      answer(s, "{\"error_code\":" + s + ",\"message\":\"down\"}");
      assertThrows(RegistryUnavailableException.class, () -> decoder.apply(record), "" + s);
    }
    answer(200, "<html>maintenance</html>");
    assertThrows(RegistryUnavailableException.class, () -> decoder.apply(record));
    answer(405, "{\"error_code\":405,\"message\":\"method not allowed\"}");
    assertThrows(
        RegistryUnavailableException.class,
        () -> decoder.apply(record),
        "an answer that is no record's fault either");
    answer(200, schema("AVRO"));
    assertEquals("dev-r", decoder.apply(record).deviceId(), "nothing negative is cached");
  }

  @Test
  void shouldStopOnRefusedCredentialsAndOnAUrlThatIsNoConfluentApi() {
    answer(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
    RegistryMisconfiguredException auth =
        assertThrows(RegistryMisconfiguredException.class, () -> decoder.apply(record));
    assertTrue(auth.getMessage().contains("credentials"), auth.getMessage());
    answer(403, "{\"error_code\":40301,\"message\":\"User cannot access the resource.\"}");
    assertThrows(RegistryMisconfiguredException.class, () -> decoder.apply(record));
    answer(404, "{\"detail\":\"RESTEASY003210: Could not find resource\",\"error_code\":404}");
    RegistryMisconfiguredException url =
        assertThrows(RegistryMisconfiguredException.class, () -> decoder.apply(record));
    assertTrue(url.getMessage().contains("/apis/ccompat/v7"), url.getMessage());
  }

  @Test
  void shouldDeadLetterOnlyTheRecordsOwnFaults() throws IOException {
    answer(404, "{\"error_code\":40403,\"message\":\"Schema 7 not found\"}");
    DecodeException unknown = assertThrows(DecodeException.class, () -> decoder.apply(record));
    assertEquals("unknown-schema-id", unknown.reason());
    answer(200, schema("PROTOBUF"));
    DecodeException protobuf = assertThrows(DecodeException.class, () -> decoder.apply(record));
    assertEquals("unusable-schema", protobuf.reason());
    DecodeException magic =
        assertThrows(DecodeException.class, () -> decoder.apply(new byte[] {1, 0, 0, 0, 7, 2}));
    assertEquals("bad-magic-byte", magic.reason());
  }

  @Test
  void shouldDeadLetterAGuidHeaderWhenTheRegistryHasNoGuidLookupNamingTheFormat() {
    // Apicurio 2.6's ccompat API answers GET /schemas/guids/... like this
    answer(404, "{\"error_code\":0,\"message\":\"RESTEASY003210: Could not find resource\"}");
    RecordHeaders h = new RecordHeaders();
    UUID guid = UUID.randomUUID();
    h.add(
        "__value_schema_id",
        ByteBuffer.allocate(17)
            .put((byte) 1)
            .putLong(guid.getMostSignificantBits())
            .putLong(guid.getLeastSignificantBits())
            .array());
    DecodeException e =
        assertThrows(
            DecodeException.class,
            () -> decoder.apply(h, Arrays.copyOfRange(record, 5, record.length)));
    assertEquals("unusable-schema-id-header", e.reason());
    assertTrue(e.getMessage().contains("__value_schema_id"), e.getMessage());
    assertTrue(e.getMessage().contains("Confluent 8"), e.getMessage());
  }
}
