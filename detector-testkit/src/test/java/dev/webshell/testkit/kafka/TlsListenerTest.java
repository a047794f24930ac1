package dev.webshell.testkit.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SSL (and SASL_SSL) listener of the embedded cluster: clients trusting its generated CA
 * produce and consume with hostname verification on; a client trusting another CA fails the
 * handshake quickly with an {@link SslAuthenticationException}.
 *
 * <p>(An <em>empty</em> truststore is different: the JDK then throws "the trustAnchors parameter
 * must be non-empty" as a plain {@code RuntimeException} mid-handshake, which Kafka's client treats
 * as a network error and retries until its timeout, so it is no quick handshake failure.)
 */
class TlsListenerTest {
  private static final String USER = "detector";
  private static final String PASSWORD = "tls-sasl-secret";
  @AutoClose private static EmbeddedKafkaCluster kafka;

  @TempDir static Path tmp;

  @BeforeAll
  static void startCluster() {
    kafka =
        EmbeddedKafkaCluster.builder()
            .brokers(1)
            .tlsListener(true)
            .saslUser(USER, PASSWORD)
            .start();
    System.out.printf(
        "1 broker with SSL and SASL_SSL listeners: startup %d ms (keytool included), SSL %s,"
            + " SASL_SSL %s%n",
        kafka.startupTime().toMillis(),
        kafka.sslBootstrapServers(),
        kafka.saslSslBootstrapServers());
  }

  @Test
  void sslListenerServesProduceAndConsumeWithHostnameVerificationOn() throws Exception {
    Map<String, Object> ssl = kafka.sslClientConfig();
    assertEquals("SSL", ssl.get("security.protocol"));
    assertFalse(
        ssl.containsKey(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG),
        "hostname verification left at Kafka's default (https)");
    assertEquals("https", SslConfigs.DEFAULT_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM);
    roundTrip(ssl, "tls-ssl");
  }

  @Test
  void saslSslListenerServesProduceAndConsumeWithScram() throws Exception {
    roundTrip(kafka.saslSslClientConfig("SCRAM-SHA-512", USER, PASSWORD), "tls-sasl-ssl");
  }

  @Test
  void generatedCertificateNamesLocalhostAndLoopbackAndIsSignedByTheCa() throws Exception {
    TlsMaterial tls = kafka.tlsMaterial();
    var server = tls.serverCertificate();
    server.verify(tls.caCertificate().getPublicKey());
    assertEquals(
        List.of(List.of(2, "localhost"), List.of(7, "127.0.0.1")),
        List.copyOf(server.getSubjectAlternativeNames()));
    KeyStore trust = KeyStore.getInstance(TlsMaterial.STORE_TYPE);
    try (var in = Files.newInputStream(tls.truststore())) {
      trust.load(in, tls.password().toCharArray());
    }
    assertEquals(List.of("ca"), java.util.Collections.list(trust.aliases()));
    assertTrue(trust.isCertificateEntry("ca"), "the truststore holds the CA certificate only");
  }

  @Test
  void clientTrustingAnotherCaFailsTheHandshakeQuickly() {
    Path other = TlsMaterial.truststoreOfAnotherCa(tmp, "other-password");
    Map<String, Object> config = new HashMap<>(kafka.sslClientConfig());
    config.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, other.toString());
    config.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, "other-password");
    assertHandshakeFailsQuickly(config, "another CA");
  }

  private static void assertHandshakeFailsQuickly(Map<String, Object> config, String what) {
    long t0 = System.nanoTime();
    try (Admin admin = Admin.create(config)) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> admin.describeCluster().clusterId().get(15, TimeUnit.SECONDS));
      assertInstanceOf(SslAuthenticationException.class, e.getCause(), e.toString());
      System.out.printf(
          "TLS with %s rejected in %d ms: %s%n",
          what, (System.nanoTime() - t0) / 1_000_000, rootMessage(e));
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 10_000, "handshake failure reported within 10 s, took " + ms + " ms");
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.toString();
  }

  private static void roundTrip(Map<String, Object> client, String topic) throws Exception {
    kafka.createTopic(topic, 1, (short) 1);
    try (Admin admin = Admin.create(client)) {
      assertFalse(admin.describeCluster().nodes().get(15, TimeUnit.SECONDS).isEmpty());
    }
    Map<String, Object> p = new HashMap<>(client);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>(topic, "k", "over " + topic)).get(15, TimeUnit.SECONDS);
    }
    Map<String, Object> c = new HashMap<>(client);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, topic);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of(topic));
      ConsumerRecords<String, String> records = ConsumerRecords.empty();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (records.isEmpty() && System.nanoTime() < deadline) {
        records = consumer.poll(Duration.ofMillis(200));
      }
      assertFalse(records.isEmpty(), "nothing consumed over " + topic);
      assertEquals("over " + topic, records.iterator().next().value());
    }
  }
}
