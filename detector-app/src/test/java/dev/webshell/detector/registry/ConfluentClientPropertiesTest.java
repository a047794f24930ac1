package dev.webshell.detector.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry settings of an existing Confluent client configuration, by Confluent's names. */
class ConfluentClientPropertiesTest {
  private static final String SECRET = "Sr-secret-91";
  @TempDir Path dir;

  private static RegistryConfig config(Map<String, String> props) {
    ConfluentClientProperties p = ConfluentClientProperties.of(props);
    return p.applyTo(RegistryConfig.builder(p.url())).build();
  }

  private static Map<String, String> with(String... keyValues) {
    Map<String, String> m = new HashMap<>();
    m.put("schema.registry.url", "https://sr.example:8081");
    m.put("bootstrap.servers", "kafka:9092"); // a Kafka client file holds both
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  private static String refusal(Map<String, String> props) {
    return assertThrows(IllegalArgumentException.class, () -> config(props)).getMessage();
  }

  @Test
  void shouldReadTheUrlAndUserInfoAsConfluentsSerdesDo() {
    RegistryConfig c =
        config(
            with(
                "basic.auth.credentials.source",
                "USER_INFO",
                "basic.auth.user.info",
                "detector:" + SECRET));
    assertEquals("https://sr.example:8081", c.urlsForDisplay());
    assertEquals("detector", c.basicAuthUser());
    assertEquals(SECRET, c.basicAuthPassword());
    assertFalse(c.toString().contains(SECRET));
    assertEquals(
        SECRET,
        config(with("schema.registry.basic.auth.user.info", "old:" + SECRET)).basicAuthPassword(),
        "the deprecated name, and a user.info without its source, are understood");
  }

  @Test
  void shouldTakeCredentialsFromTheUrlByDefault() {
    RegistryConfig c =
        config(with("schema.registry.url", "https://u:" + SECRET + "@a:8081,https://b:8081"));
    assertEquals("https://a:8081,https://b:8081", c.urlsForDisplay());
    assertEquals("u", c.basicAuthUser());
  }

  @Test
  void shouldInheritTheSaslPlainCredentials() {
    RegistryConfig c =
        config(
            with(
                "basic.auth.credentials.source",
                "SASL_INHERIT",
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required"
                    + " username=\"kafka-user\" password=\""
                    + SECRET
                    + "\";"));
    assertEquals("kafka-user", c.basicAuthUser());
    assertEquals(SECRET, c.basicAuthPassword());
  }

  @Test
  void shouldRefuseAMissingOrEmptyPasswordNeverSendingAnEmptyOne() {
    assertTrue(
        refusal(with("basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "bob"))
            .contains("has no password"));
    assertTrue(
        refusal(with("basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "bob:"))
            .contains("password is empty"));
    assertTrue(
        refusal(with("basic.auth.credentials.source", "USER_INFO"))
            .contains("basic.auth.user.info"));
    assertTrue(refusal(with("schema.registry.url", "https://bob@sr:8081")).contains("no password"));
    assertTrue(
        refusal(
                with(
                    "schema.registry.ssl.keystore.location",
                    "/etc/k.p12",
                    "schema.registry.ssl.truststore.location",
                    "/etc/t.p12",
                    "schema.registry.ssl.truststore.password",
                    SECRET))
            .contains("password of the schema registry keystore"));
  }

  @Test
  void shouldReadAStaticBearerTokenWithConfluentCloudsTargets() {
    RegistryConfig c =
        config(
            with(
                "bearer.auth.credentials.source", "STATIC_TOKEN",
                "bearer.auth.token", SECRET,
                "bearer.auth.logical.cluster", "lsrc-123",
                "bearer.auth.identity.pool.id", "pool-9"));
    assertEquals(SECRET, c.bearerToken());
    assertEquals("lsrc-123", c.bearerLogicalCluster());
    assertEquals("pool-9", c.bearerIdentityPoolId());
    assertNull(c.basicAuthUser());
    assertFalse(c.toString().contains(SECRET));
  }

  @Test
  void shouldReadOAuthClientCredentials() {
    RegistryConfig c =
        config(
            with(
                "bearer.auth.credentials.source", "OAUTHBEARER",
                "bearer.auth.issuer.endpoint.url", "https://idp.example/oauth2/token",
                "bearer.auth.client.id", "detector",
                "bearer.auth.client.secret", SECRET,
                "bearer.auth.scope", "sr.read",
                "bearer.auth.cache.expiry.buffer.seconds", "60"));
    assertEquals("https://idp.example/oauth2/token", c.oauth().tokenEndpoint().toString());
    assertEquals("sr.read", c.oauth().scope());
    assertEquals(Duration.ofSeconds(60), c.oauth().expiryBuffer());
    assertFalse(c.toString().contains(SECRET), c.toString());
    assertTrue(
        refusal(
                with(
                    "bearer.auth.credentials.source",
                    "OAUTHBEARER",
                    "bearer.auth.issuer.endpoint.url",
                    "https://idp"))
            .contains("bearer.auth.client.id"));
  }

  @Test
  void shouldRefuseWhatItCannotDoNamingTheProperty() {
    assertTrue(
        refusal(with("bearer.auth.credentials.source", "SASL_OAUTHBEARER_INHERIT"))
            .contains("SASL_OAUTHBEARER_INHERIT is not supported"));
    assertTrue(
        refusal(with("basic.auth.credentials.source", "CUSTOM"))
            .contains("CUSTOM is not supported"));
    assertTrue(
        refusal(with("schema.registry.ssl.endpoint.identification.algorithm", ""))
            .contains("host name verification"));
    assertTrue(
        refusal(
                with(
                    "schema.registry.ssl.truststore.location", "/etc/ca.pem",
                    "schema.registry.ssl.truststore.type", "PEM"))
            .contains("PEM"));
    assertTrue(
        refusal(with("schema.registry.ssl.truststore.certificates", "-----BEGIN CERTIFICATE-----"))
            .contains("truststore.certificates"));
    assertTrue(
        refusal(with("basic.auth.user.info", "a:" + SECRET, "bearer.auth.token", SECRET))
            .contains("keep one"));
    assertTrue(refusal(with("max.retries", "three")).contains("max.retries"));
  }

  @Test
  void shouldReadTheTlsStoresAndTheRetrySettings() {
    RegistryConfig c =
        config(
            with(
                "schema.registry.ssl.truststore.location", "/etc/tls/trust.jks",
                "schema.registry.ssl.truststore.password", SECRET,
                "schema.registry.ssl.truststore.type", "JKS",
                "schema.registry.ssl.keystore.location", "/etc/tls/client.p12",
                "schema.registry.ssl.keystore.password", SECRET,
                "schema.registry.ssl.key.password", SECRET + "-key",
                "max.retries", "5",
                "retries.wait.ms", "200",
                "retries.max.wait.ms", "3000"));
    assertEquals(Path.of("/etc/tls/trust.jks"), c.truststorePath());
    assertEquals("JKS", c.truststoreType());
    assertEquals(Path.of("/etc/tls/client.p12"), c.keystorePath());
    assertEquals(SECRET + "-key", c.keyPassword());
    assertEquals(
        new RegistryConfig.Retries(5, Duration.ofMillis(200), Duration.ofMillis(3000)),
        c.retries());
    assertEquals(RegistryConfig.Retries.DEFAULT, config(with()).retries());
  }

  @Test
  void shouldResolveKafkaConfigProviderReferences() throws Exception {
    Path secrets = dir.resolve("sr.properties");
    Files.writeString(secrets, "userinfo=detector:" + SECRET + "\n");
    RegistryConfig c =
        config(
            with(
                "config.providers", "file",
                "config.providers.file.class",
                    "org.apache.kafka.common.config.provider.FileConfigProvider",
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "${file:" + secrets + ":userinfo}"));
    assertEquals("detector", c.basicAuthUser());
    assertEquals(SECRET, c.basicAuthPassword());
  }
}
