package dev.webshell.testkit.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SaslListenerTest {

  private static final String USER = "detector";
  private static final String PASSWORD = "s3cret \"quoted\" pa$$";
  @AutoClose private static EmbeddedKafkaCluster kafka;

  @BeforeAll
  static void startCluster() {
    kafka = EmbeddedKafkaCluster.builder().brokers(1).saslUser(USER, PASSWORD).start();
    System.out.printf(
        "1 broker with SASL listener: startup %d ms, PLAINTEXT %s, SASL %s%n",
        kafka.startupTime().toMillis(), kafka.bootstrapServers(), kafka.saslBootstrapServers());
  }

  @ParameterizedTest
  @ValueSource(strings = {"SCRAM-SHA-512", "PLAIN"})
  void saslListenerAcceptsTheRightPasswordForProduceAndConsume(String mechanism) throws Exception {
    String topic = "sasl-" + mechanism.toLowerCase();
    kafka.createTopic(topic, 1, (short) 1);
    Map<String, Object> auth = kafka.saslClientConfig(mechanism, USER, PASSWORD);

    try (Admin admin = Admin.create(auth)) {
      assertFalse(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty());
    }
    Map<String, Object> p = new HashMap<>(auth);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>(topic, "k", mechanism)).get(10, TimeUnit.SECONDS);
    }
    Map<String, Object> c = new HashMap<>(auth);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "sasl-" + mechanism);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of(topic));
      ConsumerRecords<String, String> records = ConsumerRecords.empty();
      long deadline = System.currentTimeMillis() + 20_000;
      while (records.isEmpty() && System.currentTimeMillis() < deadline) {
        records = consumer.poll(Duration.ofMillis(200));
      }
      assertEquals(mechanism, records.iterator().next().value());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"SCRAM-SHA-512", "PLAIN"})
  void saslListenerRejectsAWrongPasswordQuicklyWithAnAuthenticationError(String mechanism) {
    assertRejectedQuickly(kafka.saslClientConfig(mechanism, USER, "wrong-password"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"SCRAM-SHA-512", "PLAIN"})
  void saslListenerRejectsAnUnknownUser(String mechanism) {
    assertRejectedQuickly(kafka.saslClientConfig(mechanism, "mallory", PASSWORD));
  }

  @Test
  void plaintextListenerStillWorksWithoutCredentials() throws Exception {
    assertFalse(
        kafka.admin().describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty(),
        "PLAINTEXT listener serves next to the SASL one");
  }

  private static void assertRejectedQuickly(Map<String, Object> auth) {
    Map<String, Object> config = new HashMap<>(auth);
    long t0 = System.nanoTime();
    try (Admin admin = Admin.create(config)) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> admin.describeCluster().clusterId().get(15, TimeUnit.SECONDS));
      assertInstanceOf(SaslAuthenticationException.class, e.getCause());
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("%s rejected in %d ms: %s%n", auth.get("sasl.mechanism"), ms, "ok");
    assertTrue(ms < 5_000, "authentication failure reported within 5 s, took " + ms + " ms");
  }
}
