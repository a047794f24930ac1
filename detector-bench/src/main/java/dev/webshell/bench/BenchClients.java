package dev.webshell.bench;

import dev.webshell.detector.ops.CaughtUp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka clients of the bench besides the detector, all from the settings the detector gets
 * ({@code base}: bootstrap servers, {@code -D} overrides, security), so that the raw consumer reads
 * as the detector's consumer does.
 */
final class BenchClients {
  private final Map<String, Object> base;
  private final String prefix;
  private final int partitions;

  /**
   * @param base the detector's client settings
   * @param prefix of this run's client ids and groups
   * @param partitions of the input topic
   */
  BenchClients(Map<String, Object> base, String prefix, int partitions) {
    this.base = base;
    this.prefix = prefix;
    this.partitions = partitions;
  }

  /** The detector's client settings. */
  Map<String, Object> base() {
    return base;
  }

  /** A producer of keyed byte values: acks=all, lz4, 64 KiB batches. */
  KafkaProducer<String, byte[]> producer(int lingerMs) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", base.get("bootstrap.servers"));
    copyClientSecurity(base, p);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, prefix + "-producer");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** The consumer settings Kafka Streams gives its main consumer under exactly_once_v2. */
  Map<String, Object> consumerConfig(String group) {
    Map<String, Object> c = new HashMap<>();
    for (Map.Entry<String, Object> e : base.entrySet()) {
      String k = e.getKey();
      for (String p : List.of("main.consumer.", "consumer.")) {
        if (k.startsWith(p)) {
          k = k.substring(p.length());
        }
      }
      if (ConsumerConfig.configNames().contains(k)) {
        c.put(k, e.getValue());
      }
    }
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
    c.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return c;
  }

  /** A read_committed reader of an alerts topic (one partition), from its beginning. */
  KafkaConsumer<byte[], byte[]> alertReader(String topic) {
    Map<String, Object> c = consumerConfig(prefix + "-alert-reader");
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    TopicPartition tp = new TopicPartition(topic, 0);
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
    consumer.position(tp);
    return consumer;
  }

  /** Whether {@code group} has read what it was given ({@link CaughtUp}, the detector's answer). */
  CaughtUp caughtUp(Admin admin, String group) {
    return new CaughtUp(admin, group, this::offsetProbe);
  }

  /** The partitions of an input topic. */
  List<TopicPartition> inputPartitions(String topic) {
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(topic, p));
    }
    return tps;
  }

  /** A read_committed reader without a group, for {@link CaughtUp}'s probes. */
  private KafkaConsumer<byte[], byte[]> offsetProbe() {
    Map<String, Object> c = consumerConfig(prefix + "-offset-probe");
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, prefix + "-offset-probe");
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static void copyClientSecurity(Map<String, Object> from, Map<String, Object> to) {
    for (Map.Entry<String, Object> e : from.entrySet()) {
      if (e.getKey().startsWith("security.")
          || e.getKey().startsWith("sasl.")
          || e.getKey().startsWith("ssl.")) {
        to.put(e.getKey(), e.getValue());
      }
    }
  }
}
