package dev.webshell.testkit.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class SingleBrokerTest {

  @Test
  void producedRecordsAreConsumedBackFromASingleBroker() throws Exception {
    MemoryProbe before = MemoryProbe.measure();
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(1)) {
      MemoryProbe after = MemoryProbe.measure();
      System.out.printf(
          "1 broker: startup %d ms; %s%n",
          kafka.startupTime().toMillis(), after.reportSince(before));
      kafka.createTopic("round-trip", 2, (short) 1);
      Map<String, Object> p = new HashMap<>(kafka.clientConfig());
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
        for (int i = 0; i < 10; i++) {
          producer.send(new ProducerRecord<>("round-trip", "k" + i, "v" + i)).get();
        }
      }
      Map<String, Object> c = new HashMap<>(kafka.clientConfig());
      c.put(ConsumerConfig.GROUP_ID_CONFIG, "g");
      c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
      c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
      List<String> values = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
        consumer.subscribe(List.of("round-trip"));
        long deadline = System.currentTimeMillis() + 30_000;
        while (values.size() < 10 && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            values.add(r.value());
          }
        }
      }
      assertEquals(10, values.size());
    }
  }

  @Test
  void separateControllerModeAppliesBrokerPropertyOverridesAndDefaults() throws Exception {
    try (EmbeddedKafkaCluster kafka =
        EmbeddedKafkaCluster.builder()
            .brokers(1)
            .combinedController(false)
            .brokerProperty("transaction.max.timeout.ms", 120_000)
            .start()) {
      System.out.printf(
          "1 broker + separate controller: startup %d ms%n", kafka.startupTime().toMillis());
      ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "0");
      Config config = kafka.admin().describeConfigs(List.of(broker)).all().get().get(broker);
      assertEquals("120000", config.get("transaction.max.timeout.ms").value());
      assertEquals("1", config.get("transaction.state.log.replication.factor").value());
      assertEquals("1", config.get("min.insync.replicas").value());
      assertEquals("0", config.get("group.initial.rebalance.delay.ms").value());
      kafka.createTopic("compacted", 1, (short) 1, Map.of("cleanup.policy", "compact"));
      ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "compacted");
      assertEquals(
          "compact",
          kafka
              .admin()
              .describeConfigs(List.of(topic))
              .all()
              .get()
              .get(topic)
              .get("cleanup.policy")
              .value());
    }
  }
}
