package dev.webshell.detector.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producing and reading back, the way a user's clients would. */
final class Topics {
  private Topics() {}

  static void produce(
      Map<String, Object> client, String topic, List<Map.Entry<String, byte[]>> records) {
    Map<String, Object> c = new HashMap<>(client);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(c, new StringSerializer(), new ByteArraySerializer())) {
      for (Map.Entry<String, byte[]> r : records) {
        p.send(new ProducerRecord<>(topic, r.getKey(), r.getValue()));
      }
      p.flush();
    }
  }

  /**
   * Reads committed records until {@code expected} have arrived and nothing more comes for a
   * moment, or the deadline passes; returns what it read (more than expected means duplicates).
   */
  static List<String> readCommitted(
      Map<String, Object> client,
      String topic,
      int expected,
      Duration deadline,
      Function<byte[], String> decode) {
    List<String> out = new ArrayList<>();
    long end = System.nanoTime() + deadline.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = committedReader(client)) {
      consumer.subscribe(List.of(topic));
      int quietPolls = 0;
      while (System.nanoTime() < end) {
        var records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<byte[], byte[]> r : records) {
          out.add(decode.apply(r.value()));
        }
        if (out.size() >= expected) {
          quietPolls = records.isEmpty() ? quietPolls + 1 : 0;
          if (quietPolls >= 4) {
            break;
          }
        }
      }
    }
    return out;
  }

  /**
   * Every committed record of {@code topic} as "its headers: its size", reading for {@code time}.
   */
  static List<String> readCommittedWithHeaders(
      Map<String, Object> client, String topic, Duration time) {
    List<String> out = new ArrayList<>();
    long end = System.nanoTime() + time.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = committedReader(client)) {
      consumer.subscribe(List.of(topic));
      while (System.nanoTime() < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          StringBuilder h = new StringBuilder();
          r.headers()
              .forEach(
                  x ->
                      h.append(x.key())
                          .append('=')
                          .append(new String(x.value(), StandardCharsets.UTF_8))
                          .append(' '));
          out.add(h + ": " + r.value().length + " bytes");
        }
      }
    }
    return out;
  }

  /** A read_committed consumer of its own group, from the beginning. */
  private static KafkaConsumer<byte[], byte[]> committedReader(Map<String, Object> client) {
    Map<String, Object> c = new HashMap<>(client);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-reader-" + System.nanoTime());
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
