package dev.webshell.detector.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP client against a JDK HTTP server stub: what goes on the wire, what comes back. */
class HttpSchemaRegistryClientTest {
  private static final String PASSWORD = "s3cret-Pa55";
  private static final ObjectMapper JSON = new ObjectMapper();

  record Seen(String method, String path, String authorization, String contentType, String body) {}

  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile String answer = "{}";
  private HttpServer server;
  private String url;

  @BeforeEach
  void startStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] in = exchange.getRequestBody().readAllBytes();
          seen.add(
              new Seen(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().getRawPath(),
                  exchange.getRequestHeaders().getFirst("Authorization"),
                  exchange.getRequestHeaders().getFirst("Content-Type"),
                  new String(in, StandardCharsets.UTF_8)));
          String[] next = queued.poll();
          byte[] out = (next != null ? next[1] : answer).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(
              next != null ? Integer.parseInt(next[0]) : status, out.length);
          exchange.getResponseBody().write(out);
          exchange.close();
        });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stopStub() {
    server.stop(0);
  }

  // answers given once each, in order, before the standing one
  private final java.util.Deque<String[]> queued =
      new java.util.concurrent.ConcurrentLinkedDeque<>();

  @Test
  void shouldRegisterAgainWhenAConcurrentFirstRegistrationOfTheSubjectWasRefused() {
    var client = new HttpSchemaRegistryClient(RegistryConfig.of(url));
    queued.add(
        new String[] {
          "409",
          "{\"error_code\":409,\"message\":\"An artifact with ID 'alerts-value' in group 'null'"
              + " already exists.\"}"
        });
    answer(200, "{\"id\":5}");
    assertEquals(5, client.register("alerts-value", TestSchemas.TINY));
    assertEquals(2, seen.size(), "registered again after the conflict");
  }

  private void answer(int status, String body) {
    this.status = status;
    this.answer = body;
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void registerPostsConfluentJsonUnderTheUrlPathPrefixAndCachesTheId() throws IOException {
    var client = new HttpSchemaRegistryClient(RegistryConfig.of(url + "/apis/ccompat/v7/"));
    answer(200, "{\"id\":17}");
    assertEquals(17, client.register("my topic-value", TestSchemas.TINY));
    assertEquals(17, client.register("my topic-value", TestSchemas.TINY));
    assertEquals(1, seen.size(), "second register is served from the cache");
    Seen s = seen.get(0);
    assertEquals("POST", s.method());
    assertEquals("/apis/ccompat/v7/subjects/my%20topic-value/versions", s.path());
    assertEquals("application/vnd.schemaregistry.v1+json", s.contentType());
    JsonNode body = JSON.readTree(s.body());
    assertEquals(TestSchemas.TINY.toString(), body.get("schema").asText());
    assertEquals("AVRO", body.get("schemaType").asText());
    assertNull(s.authorization(), "no auth configured, no header");
  }

  @Test
  void getByIdIsCachedButLatestIsAskedEveryTime() {
    var client = new HttpSchemaRegistryClient(RegistryConfig.of(url));
    answer(200, JSON.createObjectNode().put("schema", TestSchemas.TINY.toString()).toString());
    assertEquals(TestSchemas.TINY, client.getById(5));
    assertEquals(TestSchemas.TINY, client.getById(5));
    assertEquals(1, seen.size());
    assertEquals("/schemas/ids/5", seen.get(0).path());

    answer(
        200,
        JSON.createObjectNode()
            .put("subject", "t-value")
            .put("id", 5)
            .put("version", 3)
            .put("schema", TestSchemas.TINY.toString())
            .toString());
    assertEquals(new RegisteredSchema("t-value", 5, 3, TestSchemas.TINY), client.latest("t-value"));
    client.latest("t-value");
    assertEquals(3, seen.size());
    assertEquals("/subjects/t-value/versions/latest", seen.get(2).path());
  }

  @Test
  void basicAuthHeaderIsSentOnEveryRequestWhenConfigured() {
    var client =
        new HttpSchemaRegistryClient(
            RegistryConfig.builder(url).basicAuth("alice", PASSWORD).build());
    answer(200, "{\"id\":1}");
    client.register("a", TestSchemas.TINY);
    answer(200, JSON.createObjectNode().put("schema", TestSchemas.TINY.toString()).toString());
    client.getById(1);
    assertEquals(2, seen.size());
    for (Seen s : seen) {
      assertEquals(basic("alice", PASSWORD), s.authorization());
    }
  }

  @Test
  void basicAuthPasswordIsReadFromAFileWithoutItsTrailingNewline(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("password");
    Files.writeString(file, PASSWORD + "\n");
    RegistryConfig config = RegistryConfig.builder(url).basicAuthPasswordFile("bob", file).build();
    answer(200, "{\"id\":1}");
    new HttpSchemaRegistryClient(config).register("a", TestSchemas.TINY);
    assertEquals(basic("bob", PASSWORD), seen.get(0).authorization());
    assertFalse(config.toString().contains(PASSWORD), config.toString());
  }

  @Test
  void credentialsInTheUrlBecomeBasicAuthAndLeaveTheUrl() {
    RegistryConfig config =
        RegistryConfig.of(
            "http://carol:" + "p%40" + PASSWORD + "@127.0.0.1:" + server.getAddress().getPort());
    assertEquals(List.of(url), config.urls());
    assertFalse(config.toString().contains(PASSWORD), config.toString());
    answer(200, "{\"id\":1}");
    new HttpSchemaRegistryClient(config).register("a", TestSchemas.TINY);
    assertEquals(basic("carol", "p@" + PASSWORD), seen.get(0).authorization());
  }

  @Test
  void registrysErrorCodeAndMessageArePassedThroughVerbatim() {
    var client = new HttpSchemaRegistryClient(RegistryConfig.of(url));
    String message =
        "Schema being registered is incompatible with an earlier schema for subject \"t-value\","
            + " details: [{errorType:'TYPE_MISMATCH'}]";
    answer(409, JSON.createObjectNode().put("error_code", 409).put("message", message).toString());
    SchemaRegistryException e =
        assertThrows(
            SchemaRegistryException.class, () -> client.register("t-value", TestSchemas.TINY));
    assertEquals(409, e.status());
    assertEquals(409, e.errorCode());
    assertEquals(message, e.registryMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
    assertTrue(e.isIncompatible());
  }

  @Test
  void nonJsonErrorBodyIsPassedThroughAsTheMessage() {
    var client = new HttpSchemaRegistryClient(RegistryConfig.of(url));
    answer(400, "Not able to deserialize data provided.");
    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> client.register("t", TestSchemas.TINY));
    assertEquals(400, e.status());
    assertEquals(-1, e.errorCode());
    assertEquals("Not able to deserialize data provided.", e.registryMessage());
  }

  @Test
  void unauthorizedAnswerNamesTheStatusButNeverThePassword() {
    var client =
        new HttpSchemaRegistryClient(
            RegistryConfig.builder(url).basicAuth("alice", PASSWORD).build());
    answer(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> client.getById(1));
    assertEquals(401, e.status());
    assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
    assertFalse(client.toString().contains(PASSWORD));
  }

  @Test
  void connectionFailureNamesTheUrlWithoutCredentials() throws IOException {
    int dead = deadPort();
    var client =
        new HttpSchemaRegistryClient(
            RegistryConfig.builder("http://dave:" + PASSWORD + "@127.0.0.1:" + dead + "/prefix")
                .requestTimeout(Duration.ofSeconds(2))
                .build());
    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> client.getById(1));
    assertTrue(e.isUnreachable());
    assertTrue(e.getMessage().contains("http://127.0.0.1:" + dead + "/prefix"), e.getMessage());
    assertTrue(e.getMessage().contains("cannot reach"), e.getMessage());
    assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
    assertFalse(e.getMessage().contains("dave"), e.getMessage());
  }

  @Test
  void nextUrlIsTriedWhenTheFirstRefusesTheConnection() throws IOException {
    var client =
        new HttpSchemaRegistryClient(
            RegistryConfig.of("http://127.0.0.1:" + deadPort() + " , " + url + "/v7"));
    answer(200, "{\"id\":3}");
    assertEquals(3, client.register("a", TestSchemas.TINY));
    assertEquals("/v7/subjects/a/versions", seen.get(0).path());
  }

  @Test
  void unreadableTruststoreIsNamedButItsPasswordIsNot(@TempDir Path dir) {
    Path missing = dir.resolve("trust.p12");
    RegistryConfig config =
        RegistryConfig.builder("https://127.0.0.1:1").truststore(missing, PASSWORD, null).build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new HttpSchemaRegistryClient(config));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("PKCS12"), e.getMessage());
    assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
    assertFalse(config.toString().contains(PASSWORD), config.toString());
  }

  @Test
  void malformedUrlIsRefusedWithoutEchoingIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RegistryConfig.of("http://u:" + PASSWORD + "@ho st"));
    assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RegistryConfig.of("ftp://host"));
    assertThrows(IllegalArgumentException.class, () -> RegistryConfig.of(" , "));
  }

  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
