package dev.webshell.detector.notify;

import dev.webshell.detector.topology.StreamsSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The user's Kafka settings ({@code --kafka-config}, {@code -D}) for notify's plain clients: the
 * keys each client knows, config providers, and {@code consumer.}/{@code producer.}-prefixed keys
 * (as Kafka Streams takes them for {@code run}), which win over the plain ones.
 */
final class KafkaClients {
  private KafkaClients() {}

  static Map<String, Object> consumer(Map<String, Object> user) {
    return pick(user, ConsumerConfig.configNames(), "consumer.");
  }

  /**
   * The producer's settings; where the user set none, records of up to {@link
   * StreamsSettings#MAX_RECORD_BYTES}, as {@code run}'s producer takes: a dead letter carries the
   * alert's own bytes, which long command lines can take past Kafka's 1 MB default.
   */
  static Map<String, Object> producer(Map<String, Object> user) {
    Map<String, Object> out = pick(user, ProducerConfig.configNames(), "producer.");
    out.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, StreamsSettings.MAX_RECORD_BYTES);
    out.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * StreamsSettings.MAX_RECORD_BYTES);
    return out;
  }

  private static Map<String, Object> pick(
      Map<String, Object> user, Set<String> known, String prefix) {
    Map<String, Object> out = new HashMap<>();
    user.forEach(
        (k, v) -> {
          if (known.contains(k) || k.startsWith("config.providers")) {
            out.put(k, v);
          }
        });
    user.forEach(
        (k, v) -> {
          if (k.startsWith(prefix) && known.contains(k.substring(prefix.length()))) {
            out.put(k.substring(prefix.length()), v);
          }
        });
    return out;
  }
}
