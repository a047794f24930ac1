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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP client against a JDK HTTP server stub: what goes on the wire, what comes back. */
class HttpSchemaRegistryClientTest {
  private static final String PASSWORD = "s3cret-Pa55";

  /** Confluent's three retries, with waits of a few milliseconds. */
  static final RegistryConfig.Retries FAST =
      new RegistryConfig.Retries(3, Duration.ofMillis(5), Duration.ofMillis(50));

  private static final ObjectMapper JSON = new ObjectMapper();

  record Seen(String method, String path, String authorization, String contentType, String body) {}

  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final List<String> protocols = new CopyOnWriteArrayList<>();
  private final List<String> upgrades = new CopyOnWriteArrayList<>();
  private final List<com.sun.net.httpserver.Headers> headers = new CopyOnWriteArrayList<>();
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
          protocols.add(exchange.getProtocol());
          upgrades.add(String.valueOf(exchange.getRequestHeaders().getFirst("Upgrade")));
          headers.add(exchange.getRequestHeaders());
          String[] next = queued.poll();
          if (next != null && next[0].equals("close")) {
            exchange.close(); // no answer at all: the client sees the connection end
            return;
          }
          byte[] out = (next != null ? next[1] : answer).getBytes(StandardCharsets.UTF_8);
          if (next != null && next.length > 3) {
            exchange.getResponseHeaders().add(next[2], next[3]);
          }
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
  void nonJsonErrorBodyIsPassedThroughAsTheMessageWithConfluentsUnreadableAnswerCode() {
    var client = new HttpSchemaRegistryClient(RegistryConfig.of(url));
    answer(400, "Not able to deserialize data provided.");
    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> client.register("t", TestSchemas.TINY));
    assertEquals(400, e.status());
    assertEquals(SchemaRegistryException.UNREADABLE_ANSWER, e.errorCode());
    assertEquals("Not able to deserialize data provided.", e.registryMessage());
    assertFalse(e.isRetriable(), "a 400 is final, whatever its body");
    assertEquals(1, seen.size());
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
                .retries(FAST)
                .build());
    RegistryUnavailableException e =
        assertThrows(RegistryUnavailableException.class, () -> client.getById(1));
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
            RegistryConfig.builder("http://127.0.0.1:" + deadPort() + " , " + url + "/v7")
                .retries(FAST)
                .build());
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

  private static final String SCHEMA =
      "{\"schema\":" + JSON.valueToTree(TestSchemas.TINY.toString()) + "}";

  private HttpSchemaRegistryClient fast(String urls) {
    return new HttpSchemaRegistryClient(RegistryConfig.builder(urls).retries(FAST).build());
  }

  @Test
  void shouldRetryEachStatusConfluentRetriesOnTheSameUrlAndThenSucceed() {
    for (String status : new String[] {"408", "429", "500", "502", "503", "504"}) {
      seen.clear();
      queued.add(new String[] {status, "{\"error_code\":" + status + ",\"message\":\"busy\"}"});
      queued.add(new String[] {status, "<html>busy</html>"});
      answer(200, SCHEMA);
      assertEquals(TestSchemas.TINY, fast(url).getById(7), status);
      assertEquals(3, seen.size(), status + ": two failures, then the answer");
    }
  }

  @Test
  void shouldRetryAConnectionClosedWithoutAnswerAndAnHtmlPageWithStatus200() {
    queued.add(new String[] {"close", ""});
    queued.add(new String[] {"200", "<!DOCTYPE html><html><body>Sign in</body></html>"});
    answer(200, SCHEMA);
    assertEquals(TestSchemas.TINY, fast(url).getById(8));
    assertEquals(3, seen.size());
  }

  @Test
  void shouldNotRetryAnswersThatAreFinal() {
    for (int status : new int[] {400, 401, 403, 404, 405, 409, 422, 501}) {
      seen.clear();
      answer(status, "{\"error_code\":" + status + "01,\"message\":\"no\"}");
      SchemaRegistryException e =
          assertThrows(SchemaRegistryException.class, () -> fast(url).getById(9));
      assertEquals(status, e.status());
      assertFalse(e instanceof RegistryUnavailableException, "status " + status);
      assertEquals(1, seen.size(), "status " + status + " asked once");
    }
  }

  @Test
  void shouldWaitWhatRetryAfterAsksBeforeRetryingA429UpToTheLongestWait() {
    queued.add(
        new String[] {"429", "{\"error_code\":429,\"message\":\"slow\"}", "Retry-After", "1"});
    answer(200, SCHEMA);
    long t0 = System.nanoTime();
    var client =
        new HttpSchemaRegistryClient(
            RegistryConfig.builder(url)
                .retries(new RegistryConfig.Retries(3, Duration.ofMillis(5), Duration.ofSeconds(5)))
                .build());
    assertEquals(TestSchemas.TINY, client.getById(10));
    long waited = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(waited >= 1000, "waited " + waited + " ms, Retry-After asked 1 s");
    assertEquals(2, seen.size());
  }

  @Test
  void shouldGiveUpAfterConfluentsThreeRetriesWithRegistryUnavailableAndTheLastAnswer() {
    answer(503, "{\"error_code\":50301,\"message\":\"leader not known\"}");
    RegistryUnavailableException e =
        assertThrows(RegistryUnavailableException.class, () -> fast(url).getById(11));
    assertEquals(4, seen.size(), "the first attempt and three retries");
    assertEquals(503, e.status());
    assertEquals(50301, e.errorCode());
    assertTrue(e.getMessage().contains("failed 4 times at " + url), e.getMessage());
    assertTrue(e.getMessage().contains("leader not known"), e.getMessage());
    assertNull(e.getCause(), "the message says it all: a fatal error's line is this message");
  }

  @Test
  void shouldFailOverToTheNextUrlAfterTheRetriesAndKeepUsingIt() throws IOException {
    HttpServer second =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    List<String> secondSeen = new CopyOnWriteArrayList<>();
    second.createContext(
        "/",
        ex -> {
          secondSeen.add(ex.getRequestURI().getRawPath());
          byte[] out = "{\"id\":21}".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, out.length);
          ex.getResponseBody().write(out);
          ex.close();
        });
    second.start();
    try {
      answer(503, "unavailable");
      var client = fast(url + "," + "http://127.0.0.1:" + second.getAddress().getPort());
      assertEquals(21, client.register("a", TestSchemas.TINY));
      assertEquals(4, seen.size(), "first URL: four attempts");
      assertEquals(1, secondSeen.size());
      assertEquals(21, client.register("b", TestSchemas.TINY));
      assertEquals(4, seen.size(), "the URL that answered is asked first from then on");
      assertEquals(2, secondSeen.size());
    } finally {
      second.stop(0);
    }
  }

  @Test
  void shouldFailOverWhenEveryAttemptAtTheFirstUrlIsAnHtmlPage() throws IOException {
    answer(200, "<html>proxy login</html>");
    HttpServer second =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    second.createContext(
        "/",
        ex -> {
          byte[] out = SCHEMA.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, out.length);
          ex.getResponseBody().write(out);
          ex.close();
        });
    second.start();
    try {
      var client = fast(url + "," + "http://127.0.0.1:" + second.getAddress().getPort());
      assertEquals(TestSchemas.TINY, client.getById(12));
    } finally {
      second.stop(0);
    }
  }

  @Test
  void shouldSpeakHttp11WithoutAnH2cUpgrade() {
    answer(200, SCHEMA);
    fast(url).getById(13);
    assertEquals(List.of("HTTP/1.1"), protocols);
    assertEquals(List.of("null"), upgrades, "no Upgrade: h2c header");
  }

  @Test
  void shouldBackOffExponentiallyWithFullJitterCappedAndAtLeastRetryAfter() {
    RegistryConfig.Retries r = RegistryConfig.Retries.DEFAULT;
    for (int i = 0; i < 200; i++) {
      assertTrue(HttpSchemaRegistryClient.backoff(r, 0, null).toMillis() <= 1000);
      assertTrue(HttpSchemaRegistryClient.backoff(r, 2, null).toMillis() <= 4000);
      assertTrue(HttpSchemaRegistryClient.backoff(r, 10, null).toMillis() <= 20_000);
      assertTrue(HttpSchemaRegistryClient.backoff(r, 0, null).toMillis() >= 1);
    }
    assertEquals(
        5000, HttpSchemaRegistryClient.backoff(r, 0, Duration.ofSeconds(5)).toMillis(), 0.0);
    assertEquals(
        20_000, HttpSchemaRegistryClient.backoff(r, 0, Duration.ofMinutes(5)).toMillis(), 0.0);
    assertEquals(
        Duration.ofSeconds(7), HttpSchemaRegistryClient.parseRetryAfter(" 7 ").orElseThrow());
    Duration date =
        HttpSchemaRegistryClient.parseRetryAfter(
                java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                    java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(30)))
            .orElseThrow();
    assertTrue(date.toSeconds() >= 28 && date.toSeconds() <= 30, date.toString());
    assertTrue(HttpSchemaRegistryClient.parseRetryAfter("soon").isEmpty());
  }

  @Test
  void shouldSendAStaticBearerTokenAndConfluentCloudsTargetHeaders() {
    var client =
        new HttpSchemaRegistryClient(
            RegistryConfig.builder(url)
                .bearerToken("tok-123")
                .bearerTargets("lsrc-abc", "pool-1")
                .build());
    answer(200, SCHEMA);
    client.getById(14);
    assertEquals("Bearer tok-123", seen.get(0).authorization());
    assertEquals("lsrc-abc", headers.get(0).getFirst("target-sr-cluster"));
    assertEquals("pool-1", headers.get(0).getFirst("Confluent-Identity-Pool-Id"));
  }

  @Test
  void shouldFetchAnOAuthTokenWithClientCredentialsReuseItAndRenewItAfterA401() throws Exception {
    List<String> tokenRequests = new CopyOnWriteArrayList<>();
    AtomicInteger issued = new AtomicInteger();
    server.createContext(
        "/oauth/token",
        ex -> {
          tokenRequests.add(
              ex.getRequestHeaders().getFirst("Authorization")
                  + " "
                  + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] out =
              ("{\"access_token\":\"t" + issued.incrementAndGet() + "\",\"expires_in\":3600}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, out.length);
          ex.getResponseBody().write(out);
          ex.close();
        });
    var client =
        new HttpSchemaRegistryClient(
            RegistryConfig.builder(url)
                .oauth(
                    new RegistryConfig.OAuth(
                        java.net.URI.create(url + "/oauth/token"),
                        "detector",
                        PASSWORD,
                        "schema:read",
                        Duration.ofSeconds(300)))
                .build());
    answer(200, SCHEMA);
    client.getById(15);
    client.getById(16);
    assertEquals(1, tokenRequests.size(), "the token is reused until it nears its expiry");
    assertEquals(
        basic("detector", PASSWORD) + " grant_type=client_credentials&scope=schema%3Aread",
        tokenRequests.get(0));
    assertEquals("Bearer t1", seen.get(0).authorization());
    queued.add(new String[] {"401", "{\"error_code\":401,\"message\":\"token expired\"}"});
    client.getById(17);
    assertEquals(2, tokenRequests.size(), "a 401 gets a new token and one more attempt");
    assertEquals("Bearer t2", seen.get(seen.size() - 1).authorization());
  }

  @Test
  void shouldStopWithAMisconfigurationWhenTheTokenEndpointRefusesTheClient() {
    server.createContext(
        "/oauth/token",
        ex -> {
          byte[] out =
              "{\"error\":\"invalid_client\",\"error_description\":\"bad secret\"}"
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(401, out.length);
          ex.getResponseBody().write(out);
          ex.close();
        });
    var client =
        new HttpSchemaRegistryClient(
            RegistryConfig.builder(url)
                .oauth(
                    new RegistryConfig.OAuth(
                        java.net.URI.create(url + "/oauth/token"),
                        "detector",
                        PASSWORD,
                        null,
                        Duration.ofSeconds(300)))
                .retries(FAST)
                .build());
    RegistryMisconfiguredException e =
        assertThrows(RegistryMisconfiguredException.class, () -> client.getById(18));
    assertTrue(e.getMessage().contains("invalid_client: bad secret"), e.getMessage());
    assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
    assertTrue(seen.isEmpty(), "the registry is not asked without a token");
  }

  @Test
  void shouldRetryATokenEndpointThatDoesNotAnswerAndThenCallTheRegistryUnavailable()
      throws IOException {
    var client =
        new HttpSchemaRegistryClient(
            RegistryConfig.builder(url)
                .oauth(
                    new RegistryConfig.OAuth(
                        java.net.URI.create("http://127.0.0.1:" + deadPort() + "/token"),
                        "detector",
                        PASSWORD,
                        null,
                        Duration.ofSeconds(300)))
                .retries(FAST)
                .build());
    RegistryUnavailableException e =
        assertThrows(RegistryUnavailableException.class, () -> client.getById(20));
    assertTrue(e.getMessage().contains("cannot reach the OAuth token endpoint"), e.getMessage());
    assertTrue(seen.isEmpty());
  }

  @Test
  void shouldLookSchemasUpByGuid() {
    answer(200, SCHEMA);
    java.util.UUID guid = java.util.UUID.fromString("0f2a0c3e-1111-2222-3333-444455556666");
    var client = fast(url);
    assertEquals(TestSchemas.TINY, client.getByGuid(guid));
    assertEquals(TestSchemas.TINY, client.getByGuid(guid));
    assertEquals(1, seen.size(), "cached");
    assertEquals("/schemas/guids/" + guid, seen.get(0).path());
  }

  @Test
  void shouldRefuseASchemaThatIsNotAvroAsUnusableNotAsARegistryFailure() {
    answer(200, "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");
    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> fast(url).getById(19));
    assertTrue(e.isUnusableSchema());
    assertFalse(e.isRetriable());
    assertEquals(1, seen.size());
  }

  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
