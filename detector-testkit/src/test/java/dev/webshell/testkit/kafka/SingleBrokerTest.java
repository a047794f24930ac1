package dev.webshell.testkit.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
          "1 broker: startup %d ms; %s%n", kafka.startupTime().toMillis(), after.minus(before));
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
}
