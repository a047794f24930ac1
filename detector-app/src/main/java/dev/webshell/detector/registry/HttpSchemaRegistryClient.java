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
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * {@link SchemaRegistryClient} over the Confluent Schema Registry REST API, as served by Confluent
 * Schema Registry, Apicurio Registry ({@code /apis/ccompat/v7}), Redpanda and Karapace. Uses {@link
 * java.net.http.HttpClient}; thread-safe.
 *
 * <p>With several URLs, each request goes to the first URL that accepts a connection; an HTTP error
 * answer is final and is not retried elsewhere.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json;q=0.9,"
          + " application/json;q=0.5";
  private static final int MAX_BODY_IN_MESSAGE = 2000;

  private final ObjectMapper json = new ObjectMapper();
  private final List<String> urls;
  private final String authorization;
  private final HttpClient http;
  private final RegistryConfig config;
  private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
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
    this.authorization =
        config.basicAuthUser() == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString(
                        (config.basicAuthUser() + ":" + config.basicAuthPassword())
                            .getBytes(StandardCharsets.UTF_8));
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .connectTimeout(config.requestTimeout())
            // never follow redirects: the Authorization header must not travel to another host
            .followRedirects(HttpClient.Redirect.NEVER);
    if (config.truststorePath() != null || config.keystorePath() != null) {
      b.sslContext(sslContext(config));
    }
    this.http = b.build();
  }

  @Override
  public Schema getById(int id) {
    Schema cached = byId.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = call("GET", "/schemas/ids/" + id, null);
    String type = answer.path("schemaType").asText("AVRO");
    if (!type.equalsIgnoreCase("AVRO")) {
      throw new SchemaRegistryException(
          "schema id " + id + " is a " + type + " schema, not Avro", 200, -1, type, null);
    }
    Schema schema = parseSchema(answer, "schema id " + id);
    Schema raced = byId.putIfAbsent(id, schema);
    return raced == null ? schema : raced;
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
    String type = answer.path("schemaType").asText("AVRO");
    if (!type.equalsIgnoreCase("AVRO")) {
      throw new SchemaRegistryException(
          "latest version of subject " + subject + " is a " + type + " schema, not Avro",
          200,
          -1,
          type,
          null);
    }
    Schema schema = parseSchema(answer, "subject " + subject + " latest version");
    byId.putIfAbsent(id.intValue(), schema);
    return new RegisteredSchema(subject, id.intValue(), version.intValue(), schema);
  }

  @Override
  public String toString() {
    return "HttpSchemaRegistryClient[" + config.urlsForDisplay() + "]";
  }

  private JsonNode call(String method, String path, JsonNode body) {
    IOException last = null;
    String lastUrl = null;
    for (String base : urls) {
      HttpRequest.Builder rb =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(config.requestTimeout())
              .header("Accept", ACCEPT);
      if (authorization != null) {
        rb.header("Authorization", authorization);
      }
      if (body != null) {
        rb.header("Content-Type", CONTENT_TYPE);
        rb.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
      } else {
        rb.method(method, HttpRequest.BodyPublishers.noBody());
      }
      HttpResponse<String> response;
      try {
        response = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        last = e;
        lastUrl = base;
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryException(
            "interrupted while calling the schema registry at " + base, 0, -1, "interrupted", e);
      }
      return answer(method, path, base, response);
    }
    String cause = describe(last);
    throw new SchemaRegistryException(
        "cannot reach the schema registry at "
            + (urls.size() == 1 ? lastUrl : String.join(", ", urls) + " (tried in order)")
            + " for "
            + method
            + " "
            + path
            + ": "
            + cause,
        0,
        -1,
        cause,
        last);
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
        throw malformed(method + " " + path, "not a JSON object", text);
      }
      return node;
    }
    int errorCode = -1;
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
      throw new SchemaRegistryException(
          what + " has schema references, which this client does not resolve",
          200,
          -1,
          answer.get("references").toString(),
          null);
    }
    try {
      return new Schema.Parser().parse(text.textValue());
    } catch (SchemaParseException e) {
      throw new SchemaRegistryException(
          what + " is not a valid Avro schema: " + e.getMessage(), 200, -1, e.getMessage(), e);
    }
  }

  private SchemaRegistryException malformed(String what, String problem, Object answer) {
    String s = String.valueOf(answer);
    if (s.length() > MAX_BODY_IN_MESSAGE) {
      s = s.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }
    return new SchemaRegistryException(
        "unexpected schema registry answer to " + what + " (" + problem + "): " + s,
        200,
        -1,
        s,
        null);
  }

  private static String describe(IOException e) {
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
        kmf.init(
            keys, c.keystorePassword() == null ? new char[0] : c.keystorePassword().toCharArray());
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
      ks.load(in, password == null ? null : password.toCharArray());
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
