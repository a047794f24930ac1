package dev.webshell.detector.registry;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;

/**
 * The schema registry settings of a Confluent serde configuration, by Confluent's own property
 * names, so that the client properties file users already have for their Avro producers and
 * consumers configures the detector too:
 *
 * <ul>
 *   <li>{@code schema.registry.url} (comma-separated);
 *   <li>{@code basic.auth.credentials.source} = {@code URL} (the default: {@code
 *       https://user:password@host}), {@code USER_INFO} with {@code basic.auth.user.info} = {@code
 *       user:password} (or the deprecated {@code schema.registry.basic.auth.user.info}), or {@code
 *       SASL_INHERIT} (the user and password of {@code sasl.jaas.config});
 *   <li>{@code bearer.auth.credentials.source} = {@code STATIC_TOKEN} with {@code
 *       bearer.auth.token}, or {@code OAUTHBEARER} with {@code bearer.auth.issuer.endpoint.url},
 *       {@code bearer.auth.client.id}, {@code bearer.auth.client.secret}, {@code bearer.auth.scope}
 *       and {@code bearer.auth.cache.expiry.buffer.seconds}; {@code bearer.auth.logical.cluster}
 *       and {@code bearer.auth.identity.pool.id} (Confluent Cloud);
 *   <li>{@code schema.registry.ssl.truststore.location}, {@code .password}, {@code .type}; {@code
 *       schema.registry.ssl.keystore.location}, {@code .password}, {@code .type}, {@code
 *       schema.registry.ssl.key.password} (mutual TLS);
 *   <li>{@code max.retries}, {@code retries.wait.ms}, {@code retries.max.wait.ms}.
 * </ul>
 *
 * <p>Values may use Kafka's config providers ({@code ${file:…}}, {@code ${env:…}}) declared by
 * {@code config.providers} in the same properties. What the detector cannot do as configured is
 * refused with a message naming the property, never ignored: other credential sources, PEM
 * certificates inline, hostname verification turned off.
 */
public final class ConfluentClientProperties {
  public static final String URL = "schema.registry.url";
  static final String BASIC_SOURCE = "basic.auth.credentials.source";
  static final String USER_INFO = "basic.auth.user.info";
  static final String USER_INFO_DEPRECATED = "schema.registry.basic.auth.user.info";
  static final String BEARER_SOURCE = "bearer.auth.credentials.source";
  static final String BEARER_TOKEN = "bearer.auth.token";
  static final String ISSUER = "bearer.auth.issuer.endpoint.url";
  static final String CLIENT_ID = "bearer.auth.client.id";
  static final String CLIENT_SECRET = "bearer.auth.client.secret";
  static final String SCOPE = "bearer.auth.scope";
  static final String EXPIRY_BUFFER = "bearer.auth.cache.expiry.buffer.seconds";
  static final String LOGICAL_CLUSTER = "bearer.auth.logical.cluster";
  static final String IDENTITY_POOL = "bearer.auth.identity.pool.id";
  static final String SSL = "schema.registry.ssl.";
  static final String MAX_RETRIES = "max.retries";
  static final String RETRIES_WAIT = "retries.wait.ms";
  static final String RETRIES_MAX_WAIT = "retries.max.wait.ms";
  static final String SASL_JAAS = "sasl.jaas.config";

  private final Map<String, String> props;

  private ConfluentClientProperties(Map<String, String> props) {
    this.props = props;
  }

  /**
   * Reads {@code properties} (a Kafka client configuration), resolving config-provider references.
   *
   * @throws IllegalArgumentException when a provider reference cannot be resolved
   */
  public static ConfluentClientProperties of(Map<String, ?> properties) {
    Map<String, Object> raw = new TreeMap<>();
    properties.forEach(
        (k, v) -> {
          if (v != null) {
            raw.put(k, v);
          }
        });
    Map<String, Object> resolved;
    try {
      // AbstractConfig resolves ${provider:path:key} with the config.providers declared in raw
      resolved = new AbstractConfig(new ConfigDef(), raw, false).originals();
    } catch (ConfigException e) {
      throw new IllegalArgumentException(
          "cannot resolve the schema registry properties: " + e.getMessage(), e);
    }
    Map<String, String> strings = new TreeMap<>();
    resolved.forEach((k, v) -> strings.put(k, String.valueOf(v).strip()));
    return new ConfluentClientProperties(strings);
  }

  /** {@code schema.registry.url}, or null. */
  public String url() {
    return get(URL);
  }

  /**
   * Applies the authentication, TLS and retry settings to {@code b}.
   *
   * @throws IllegalArgumentException for settings that are incomplete or that the detector does not
   *     support, naming the property
   */
  public RegistryConfig.Builder applyTo(RegistryConfig.Builder b) {
    applyBasicAuth(b);
    applyBearer(b);
    applyTls(b);
    applyRetries(b);
    return b;
  }

  private void applyBasicAuth(RegistryConfig.Builder b) {
    String source = upper(get(BASIC_SOURCE));
    String userInfo =
        get(USER_INFO_DEPRECATED) != null ? get(USER_INFO_DEPRECATED) : get(USER_INFO);
    if (source == null) {
      // Confluent's default is URL; a user.info without its source would be ignored there and
      // fail with 401 later: here it is what the user meant
      source = userInfo != null ? "USER_INFO" : "URL";
    }
    switch (source) {
      case "URL" -> {} // credentials in the URL, if any: RegistryConfig takes them
      case "USER_INFO" -> {
        if (userInfo == null) {
          throw new IllegalArgumentException(
              BASIC_SOURCE + "=USER_INFO needs " + USER_INFO + "=USER:PASSWORD");
        }
        int colon = userInfo.indexOf(':');
        if (colon < 0) {
          throw new IllegalArgumentException(
              USER_INFO + " has no password: it must be USER:PASSWORD");
        }
        b.basicAuth(userInfo.substring(0, colon), userInfo.substring(colon + 1));
      }
      case "SASL_INHERIT" -> {
        Map<String, ?> options = jaasOptions();
        Object user = options.get("username");
        Object password = options.get("password");
        if (user == null || password == null) {
          throw new IllegalArgumentException(
              BASIC_SOURCE
                  + "=SASL_INHERIT needs a "
                  + SASL_JAAS
                  + " with username=\"…\" password=\"…\"");
        }
        b.basicAuth(user.toString(), password.toString());
      }
      default ->
          throw new IllegalArgumentException(
              BASIC_SOURCE
                  + "="
                  + source
                  + " is not supported by the detector: use URL, USER_INFO or SASL_INHERIT");
    }
  }

  private Map<String, ?> jaasOptions() {
    String jaas = get(SASL_JAAS);
    if (jaas == null) {
      return Map.of();
    }
    try {
      List<AppConfigurationEntry> entries =
          JaasContext.loadClientContext(Map.of(SASL_JAAS, new Password(jaas)))
              .configurationEntries();
      return entries.isEmpty() ? Map.of() : entries.get(0).getOptions();
    } catch (IllegalArgumentException e) {
      // the parser's message may quote the text, password included
      throw new IllegalArgumentException(SASL_JAAS + " cannot be parsed", null);
    }
  }

  private void applyBearer(RegistryConfig.Builder b) {
    String source = upper(get(BEARER_SOURCE));
    if (source == null) {
      if (get(BEARER_TOKEN) != null) {
        source = "STATIC_TOKEN";
      } else if (get(ISSUER) != null) {
        source = "OAUTHBEARER";
      } else {
        return;
      }
    }
    if (get(USER_INFO) != null
        || get(USER_INFO_DEPRECATED) != null
        || "SASL_INHERIT".equals(upper(get(BASIC_SOURCE)))) {
      throw new IllegalArgumentException(
          "both basic auth ("
              + BASIC_SOURCE
              + ", "
              + USER_INFO
              + ") and a bearer token ("
              + BEARER_SOURCE
              + ") are configured for the schema registry; keep one");
    }
    switch (source) {
      case "STATIC_TOKEN" -> {
        String token = get(BEARER_TOKEN);
        if (token == null || token.isEmpty()) {
          throw new IllegalArgumentException(
              BEARER_SOURCE + "=STATIC_TOKEN needs a non-empty " + BEARER_TOKEN);
        }
        b.bearerToken(token);
      }
      case "OAUTHBEARER" -> {
        for (String key : new String[] {ISSUER, CLIENT_ID, CLIENT_SECRET}) {
          if (get(key) == null || get(key).isEmpty()) {
            throw new IllegalArgumentException(BEARER_SOURCE + "=OAUTHBEARER needs " + key);
          }
        }
        URI endpoint;
        try {
          endpoint = URI.create(get(ISSUER));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(ISSUER + " is not a URL: " + get(ISSUER));
        }
        b.oauth(
            new RegistryConfig.OAuth(
                endpoint,
                get(CLIENT_ID),
                get(CLIENT_SECRET),
                get(SCOPE),
                Duration.ofSeconds(number(EXPIRY_BUFFER, 300))));
      }
      default ->
          throw new IllegalArgumentException(
              BEARER_SOURCE
                  + "="
                  + source
                  + " is not supported by the detector: use STATIC_TOKEN or OAUTHBEARER");
    }
    b.bearerTargets(get(LOGICAL_CLUSTER), get(IDENTITY_POOL));
  }

  private void applyTls(RegistryConfig.Builder b) {
    Set<String> unsupported =
        Set.of(
            "keystore.key",
            "keystore.certificate.chain",
            "truststore.certificates",
            "engine.factory.class");
    for (String key : unsupported) {
      if (get(SSL + key) != null) {
        throw new IllegalArgumentException(
            SSL + key + " is not supported by the detector: use a PKCS12 or JKS store file");
      }
    }
    String verify = props.get(SSL + "endpoint.identification.algorithm");
    if (verify != null && verify.isEmpty()) {
      throw new IllegalArgumentException(
          SSL
              + "endpoint.identification.algorithm is empty (host name verification off): the"
              + " detector always verifies the registry's host name; give the registry a"
              + " certificate for the name in its URL");
    }
    String trust = get(SSL + "truststore.location");
    if (trust != null) {
      b.truststore(Path.of(trust), get(SSL + "truststore.password"), type("truststore"));
    }
    String keys = get(SSL + "keystore.location");
    if (keys != null) {
      b.keystore(Path.of(keys), get(SSL + "keystore.password"), type("keystore"));
      b.keyPassword(get(SSL + "key.password"));
    }
  }

  private String type(String store) {
    String t = get(SSL + store + ".type");
    if (t != null && t.equalsIgnoreCase("PEM")) {
      throw new IllegalArgumentException(
          SSL + store + ".type=PEM is not supported by the detector: use a PKCS12 or JKS store");
    }
    return t;
  }

  private void applyRetries(RegistryConfig.Builder b) {
    RegistryConfig.Retries d = RegistryConfig.Retries.DEFAULT;
    if (get(MAX_RETRIES) == null && get(RETRIES_WAIT) == null && get(RETRIES_MAX_WAIT) == null) {
      return;
    }
    b.retries(
        new RegistryConfig.Retries(
            (int) number(MAX_RETRIES, d.maxRetries()),
            Duration.ofMillis(number(RETRIES_WAIT, d.initialWait().toMillis())),
            Duration.ofMillis(number(RETRIES_MAX_WAIT, d.maxWait().toMillis()))));
  }

  private long number(String key, long otherwise) {
    String v = get(key);
    if (v == null) {
      return otherwise;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number: " + v);
    }
  }

  /** The value, or null when absent or blank. */
  private String get(String key) {
    String v = props.get(key);
    return v == null || v.isEmpty() ? null : v;
  }

  private static String upper(String s) {
    return s == null ? null : s.toUpperCase(Locale.ROOT);
  }
}
