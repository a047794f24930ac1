package dev.webshell.detector.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * {@link SchemaRegistryClient} over the Confluent Schema Registry REST API, as served by Confluent
 * Schema Registry, Apicurio Registry ({@code /apis/ccompat/v7}), Redpanda and Karapace. Uses {@link
 * java.net.http.HttpClient} pinned to HTTP/1.1 (its default, HTTP/2 with an {@code h2c} upgrade on
 * plain http, trips several proxies and servers); thread-safe.
 *
 * <p>Failures are handled as Confluent's own client does. A failure worth retrying ({@link
 * SchemaRegistryException#isRetriable()}: no answer, 408, 429, 500, 502, 503, 504, a body that is
 * not the JSON expected) is retried on the same URL with exponential backoff ({@link
 * RegistryConfig.Retries}), then the next URL is tried the same way; the URL that answered stays
 * the first one tried. When every URL failed, {@link RegistryUnavailableException} is thrown with
 * the last failure. Any other answer (404, 409, 401, …) is final and thrown as a {@link
 * SchemaRegistryException} at once.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json;q=0.9,"
          + " application/json;q=0.5";
  private static final int MAX_BODY_IN_MESSAGE = 2000;

  private final ObjectMapper json = new ObjectMapper();
  private final List<String> urls;
  private final AtomicInteger current = new AtomicInteger();
  private final String basicAuthorization;
  private final OAuthTokens oauth;
  private final HttpClient http;
  private final RegistryConfig config;
  private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
  private final Map<UUID, Schema> byGuid = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, Integer> registered = new ConcurrentHashMap<>();

  private record SubjectSchema(String subject, Schema schema) {}

  /**
   * @throws IllegalArgumentException if the config is a {@code mock://} URL or a trust or key store
   *     cannot be loaded
   */
  public HttpSchemaRegistryClient(RegistryConfig config) {
    if (config.isMock()) {
      throw new IllegalArgumentException(
          "mock:// URL given to the HTTP client; use SchemaRegistryClients.create");
    }
    this.config = config;
    this.urls = config.urls();
    this.basicAuthorization =
        config.basicAuthUser() == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString(
                        (config.basicAuthUser() + ":" + config.basicAuthPassword())
                            .getBytes(StandardCharsets.UTF_8));
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.requestTimeout())
            // never follow redirects: the Authorization header must not travel to another host
            .followRedirects(HttpClient.Redirect.NEVER);
    if (config.truststorePath() != null || config.keystorePath() != null) {
      b.sslContext(sslContext(config));
    }
    this.http = b.build();
    this.oauth =
        config.oauth() == null
            ? null
            : new OAuthTokens(config.oauth(), http, config.requestTimeout(), json);
  }

  @Override
  public Schema getById(int id) {
    Schema cached = byId.get(id);
    if (cached != null) {
      return cached;
    }
    Schema schema = schemaOf(call("GET", "/schemas/ids/" + id, null), "schema id " + id);
    Schema raced = byId.putIfAbsent(id, schema);
    return raced == null ? schema : raced;
  }

  @Override
  public Schema getByGuid(UUID guid) {
    Schema cached = byGuid.get(guid);
    if (cached != null) {
      return cached;
    }
    Schema schema = schemaOf(call("GET", "/schemas/guids/" + guid, null), "schema GUID " + guid);
    Schema raced = byGuid.putIfAbsent(guid, schema);
    return raced == null ? schema : raced;
  }

  private Schema schemaOf(JsonNode answer, String what) {
    String type = answer.path("schemaType").asText("AVRO");
    if (!type.equalsIgnoreCase("AVRO")) {
      throw SchemaRegistryException.unusableSchema(
          what + " is a " + type + " schema, not Avro", type, null);
    }
    return parseSchema(answer, what);
  }

  @Override
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = registered.get(key);
    if (cached != null) {
      return cached;
    }
    ObjectNode body = json.createObjectNode();
    body.put("schema", schema.toString());
    body.put("schemaType", "AVRO");
    String path = "/subjects/" + encode(subject) + "/versions";
    JsonNode answer;
    try {
      answer = call("POST", path, body);
    } catch (SchemaRegistryException e) {
      if (e.status() != 409) {
        throw e;
      }
      // 409 is an incompatible schema, or (Apicurio's ccompat API) the second of two concurrent
      // first registrations of a subject ("an artifact ... already exists"), e.g. two stream
      // threads writing their first alerts at once. Registering again returns the id the other
      // got; an incompatible schema is refused again.
      answer = call("POST", path, body);
    }
    JsonNode id = answer.get("id");
    if (id == null || !id.canConvertToInt()) {
      throw malformed("POST /subjects/" + subject + "/versions", "no integer \"id\"", answer);
    }
    int value = id.intValue();
    registered.putIfAbsent(key, value);
    return value;
  }

  @Override
  public RegisteredSchema latest(String subject) {
    String path = "/subjects/" + encode(subject) + "/versions/latest";
    JsonNode answer = call("GET", path, null);
    JsonNode id = answer.get("id");
    JsonNode version = answer.get("version");
    if (id == null || !id.canConvertToInt() || version == null || !version.canConvertToInt()) {
      throw malformed("GET " + path, "no integer \"id\" and \"version\"", answer);
    }
    Schema schema = schemaOf(answer, "subject " + subject + " latest version");
    byId.putIfAbsent(id.intValue(), schema);
    return new RegisteredSchema(subject, id.intValue(), version.intValue(), schema);
  }

  @Override
  public String toString() {
    return "HttpSchemaRegistryClient[" + config.urlsForDisplay() + "]";
  }

  /**
   * One request, retried and failed over as the class comment says.
   *
   * @throws RegistryUnavailableException when every attempt at every URL failed in a way worth
   *     retrying
   * @throws SchemaRegistryException for any other failure, at once
   */
  private JsonNode call(String method, String path, JsonNode body) {
    RegistryConfig.Retries retries = config.retries();
    SchemaRegistryException last = null;
    int n = urls.size();
    int first = current.get();
    for (int k = 0; k < n; k++) {
      int index = (first + k) % n;
      String base = urls.get(index);
      boolean freshToken = false;
      for (int attempt = 0; ; attempt++) {
        Duration retryAfter = null;
        try {
          HttpResponse<String> response = send(method, base + path, body);
          if (response.statusCode() == 401 && oauth != null && !freshToken) {
            // a token revoked or expired early: one more attempt with a new one
            oauth.invalidate();
            freshToken = true;
            attempt--;
            continue;
          }
          try {
            return answer(method, path, base, response);
          } catch (SchemaRegistryException e) {
            if (!e.isRetriable()) {
              throw e;
            }
            last = e;
            retryAfter = retryAfter(response).orElse(null);
          }
        } catch (IOException e) {
          last = unreachable(base, method, path, e);
        } catch (SchemaRegistryException e) {
          // a final answer rethrown above, an interrupt, or the OAuth token endpoint's failure
          if (!e.isRetriable() || e instanceof RegistryUnavailableException) {
            throw e;
          }
          last = e;
        }
        if (attempt >= retries.maxRetries()) {
          break;
        }
        sleep(backoff(retries, attempt, retryAfter), method, path);
      }
      current.compareAndSet(index, (index + 1) % n);
    }
    String where =
        n == 1
            ? " at " + urls.get(0)
            : " at each of " + String.join(", ", urls) + " (tried in turn)";
    throw new RegistryUnavailableException(
        "schema registry unavailable: "
            + method
            + " "
            + path
            + " failed "
            + (retries.maxRetries() + 1)
            + (retries.maxRetries() == 0 ? " time" : " times")
            + where
            + "; last: "
            + last.getMessage(),
        last);
  }

  private HttpResponse<String> send(String method, String url, JsonNode body) throws IOException {
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(config.requestTimeout())
            .header("Accept", ACCEPT);
    String authorization = oauth != null ? "Bearer " + oauth.token() : basicAuthorization;
    if (config.bearerToken() != null) {
      authorization = "Bearer " + config.bearerToken();
    }
    if (authorization != null) {
      rb.header("Authorization", authorization);
    }
    if (config.bearerLogicalCluster() != null) {
      rb.header("target-sr-cluster", config.bearerLogicalCluster());
    }
    if (config.bearerIdentityPoolId() != null) {
      rb.header("Confluent-Identity-Pool-Id", config.bearerIdentityPoolId());
    }
    if (body != null) {
      rb.header("Content-Type", CONTENT_TYPE);
      rb.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      rb.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      return http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      throw interrupted(method, url, e);
    }
  }

  /** The wait before retry {@code attempt} (from 0): full jitter, at least a Retry-After. */
  static Duration backoff(RegistryConfig.Retries retries, int attempt, Duration retryAfter) {
    long max = retries.maxWait().toMillis();
    long ceil = Math.min(retries.initialWait().toMillis() << Math.min(attempt, 30), max);
    long wait = ceil <= 0 ? 0 : 1 + ThreadLocalRandom.current().nextLong(ceil);
    if (retryAfter != null) {
      wait = Math.max(wait, Math.min(retryAfter.toMillis(), max));
    }
    return Duration.ofMillis(wait);
  }

  /** The {@code Retry-After} header: seconds, or an HTTP date. */
  static Optional<Duration> retryAfter(HttpResponse<?> response) {
    return response
        .headers()
        .firstValue("Retry-After")
        .flatMap(HttpSchemaRegistryClient::parseRetryAfter);
  }

  static Optional<Duration> parseRetryAfter(String value) {
    String v = value.strip();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration d =
            Duration.between(
                ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }

  private static void sleep(Duration wait, String method, String path) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      throw interrupted(method, path, e);
    }
  }

  /** The thread is being stopped: not the record's fault, so not a dead letter either. */
  private static RegistryUnavailableException interrupted(
      String method, String what, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new RegistryUnavailableException(
        "interrupted while calling the schema registry (" + method + " " + what + ")",
        new SchemaRegistryException("interrupted", 0, -1, "interrupted", e));
  }

  private static SchemaRegistryException unreachable(
      String base, String method, String path, IOException e) {
    String cause = describe(e);
    return new SchemaRegistryException(
        "cannot reach the schema registry at "
            + base
            + " for "
            + method
            + " "
            + path
            + ": "
            + cause,
        0,
        -1,
        cause,
        e);
  }

  private JsonNode answer(String method, String path, String base, HttpResponse<String> response) {
    int status = response.statusCode();
    String text = response.body() == null ? "" : response.body();
    JsonNode node = null;
    try {
      node = text.isBlank() ? null : json.readTree(text);
    } catch (IOException notJson) {
      // an error page or a plain-text message: handled below
    }
    if (status >= 200 && status < 300) {
      if (node == null || !node.isObject()) {
        throw malformed(
            method + " " + path + " at " + base,
            "not a JSON object"
                + response.headers().firstValue("Content-Type").map(t -> ", " + t).orElse(""),
            text);
      }
      return node;
    }
    int errorCode = node == null ? SchemaRegistryException.UNREADABLE_ANSWER : -1;
    String message = text.strip();
    if (node != null && node.isObject()) {
      JsonNode code = node.get("error_code");
      if (code != null && code.canConvertToInt()) {
        errorCode = code.intValue();
      }
      JsonNode msg = node.get("message");
      if (msg != null && !msg.isNull()) {
        message = msg.isTextual() ? msg.textValue() : msg.toString();
      }
    }
    if (message.length() > MAX_BODY_IN_MESSAGE) {
      message = message.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }
    throw new SchemaRegistryException(
        "schema registry "
            + base
            + " answered "
            + status
            + (errorCode >= 0 ? " (error_code " + errorCode + ")" : "")
            + " to "
            + method
            + " "
            + path
            + ": "
            + message,
        status,
        errorCode,
        message,
        null);
  }

  private Schema parseSchema(JsonNode answer, String what) {
    JsonNode text = answer.get("schema");
    if (text == null || !text.isTextual()) {
      throw malformed(what, "no \"schema\" string", answer);
    }
    if (answer.path("references").size() > 0) {
      throw SchemaRegistryException.unusableSchema(
          what + " has schema references, which this client does not resolve",
          answer.get("references").toString(),
          null);
    }
    try {
      return new Schema.Parser().parse(text.textValue());
    } catch (SchemaParseException e) {
      throw SchemaRegistryException.unusableSchema(
          what + " is not a valid Avro schema: " + e.getMessage(), e.getMessage(), e);
    }
  }

  /** A successful status with a body that is not what the API answers: worth retrying. */
  private static SchemaRegistryException malformed(String what, String problem, Object answer) {
    String s = String.valueOf(answer);
    if (s.length() > MAX_BODY_IN_MESSAGE) {
      s = s.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }
    return new SchemaRegistryException(
        "unexpected schema registry answer to " + what + " (" + problem + "): " + s,
        200,
        SchemaRegistryException.UNREADABLE_ANSWER,
        s,
        null);
  }

  static String describe(IOException e) {
    if (e == null) {
      return "no URL";
    }
    String m = e.getMessage();
    Throwable c = e.getCause();
    if ((m == null || m.isBlank()) && c != null) {
      m = c.getMessage();
    }
    return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " (" + m + ")");
  }

  /** Percent-encodes one path segment (a subject name may hold any character). */
  static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static SSLContext sslContext(RegistryConfig c) {
    try {
      TrustManagerFactory tmf = null;
      if (c.truststorePath() != null) {
        KeyStore trust =
            load("truststore", c.truststorePath(), c.truststorePassword(), c.truststoreType());
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
      }
      KeyManagerFactory kmf = null;
      if (c.keystorePath() != null) {
        KeyStore keys = load("keystore", c.keystorePath(), c.keystorePassword(), c.keystoreType());
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        String keyPassword = c.keyPassword() != null ? c.keyPassword() : c.keystorePassword();
        kmf.init(keys, keyPassword.toCharArray());
      }
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(
          kmf == null ? null : kmf.getKeyManagers(),
          tmf == null ? null : tmf.getTrustManagers(),
          null);
      return ssl;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up TLS for the schema registry: " + e, e);
    }
  }

  private static KeyStore load(String what, Path path, String password, String type) {
    String t = type != null ? type : guessType(path);
    try (InputStream in = Files.newInputStream(path)) {
      KeyStore ks = KeyStore.getInstance(t);
      ks.load(in, password.toCharArray());
      return ks;
    } catch (IOException | GeneralSecurityException e) {
      // KeyStore messages ("keystore password was incorrect") never hold the password itself
      throw new IllegalArgumentException(
          "cannot load the schema registry " + what + " " + path + " (type " + t + "): " + e, e);
    }
  }

  private static String guessType(Path path) {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".jks")) {
      return "JKS";
    }
    if (name.endsWith(".p12") || name.endsWith(".pfx")) {
      return "PKCS12";
    }
    return KeyStore.getDefaultType();
  }
}
