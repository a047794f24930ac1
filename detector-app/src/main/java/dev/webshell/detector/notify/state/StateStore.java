package dev.webshell.detector.notify.state;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Delivery states kept in a compacted topic, key {@code destination/alertId}: read whole at start
 * and again when partitions are assigned (so that an instance taking over from another sees what
 * that one delivered), written synchronously before the offset of the record it concerns is
 * committed. States merge monotonically ({@link DeliveryState#newer}), so reading a state back
 * never undoes a later one.
 */
public final class StateStore implements AutoCloseable {
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

  private final String topic;
  private final KafkaConsumer<String, byte[]> reader;
  private final KafkaProducer<String, byte[]> writer;
  private final Map<String, DeliveryState> states = new ConcurrentHashMap<>();
  private List<TopicPartition> partitions = List.of();

  /**
   * @param consumerConfig plain consumer settings (brokers, security); no group is used
   * @param producerConfig plain producer settings
   */
  public StateStore(
      String topic, Map<String, Object> consumerConfig, Map<String, Object> producerConfig) {
    this.topic = topic;
    Map<String, Object> c = new HashMap<>(consumerConfig);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "notify-state-reader");
    this.reader = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    Map<String, Object> p = new HashMap<>(producerConfig);
    p.put("acks", "all");
    p.put("enable.idempotence", true);
    p.putIfAbsent("client.id", "notify-state-writer");
    this.writer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  static String key(String destination, String alertId) {
    return destination + "/" + alertId;
  }

  public DeliveryState get(String destination, String alertId) {
    return states.get(key(destination, alertId));
  }

  /** Stores {@code state} (merged with what is known) and waits until the broker has it. */
  public void put(String destination, String alertId, DeliveryState state)
      throws InterruptedException {
    String k = key(destination, alertId);
    DeliveryState merged = states.merge(k, state, DeliveryState::newer);
    send(k, merged.toBytes());
  }

  private void send(String key, byte[] value) throws InterruptedException {
    try {
      writer
          .send(new ProducerRecord<>(topic, key, value))
          .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new StateWriteException("cannot store delivery state in " + topic, e.getCause());
    } catch (TimeoutException e) {
      throw new StateWriteException(
          "storing delivery state in " + topic + " took more than " + WRITE_TIMEOUT, e);
    }
  }

  /** Reads the topic from where it was left to its current end. */
  public synchronized int catchUp(Duration timeout) {
    if (partitions.isEmpty()) {
      List<PartitionInfo> infos = reader.partitionsFor(topic, timeout);
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo i : infos) {
        tps.add(new TopicPartition(topic, i.partition()));
      }
      reader.assign(tps);
      reader.seekToBeginning(tps);
      partitions = tps;
    }
    Map<TopicPartition, Long> end = reader.endOffsets(partitions, timeout);
    long deadline = System.nanoTime() + timeout.toNanos();
    int read = 0;
    while (!reachedEnd(end)) {
      if (System.nanoTime() > deadline) {
        throw new StateWriteException(
            "could not read delivery state topic " + topic + " to its end within " + timeout, null);
      }
      for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
        if (r.key() == null) {
          continue;
        }
        if (r.value() == null) {
          states.remove(r.key());
        } else {
          DeliveryState s = DeliveryState.fromBytes(r.value());
          if (s != null) {
            states.merge(r.key(), s, DeliveryState::newer);
          }
        }
        read++;
      }
    }
    return read;
  }

  private boolean reachedEnd(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (reader.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Deletes (tombstones) the states of alerts closed before {@code now - keep}: by then the alerts
   * topic no longer holds their revisions, so nothing can re-read them.
   *
   * @return how many were deleted
   */
  public int prune(Instant now, Duration keep) throws InterruptedException {
    long before = now.minus(keep).toEpochMilli();
    int n = 0;
    for (Map.Entry<String, DeliveryState> e : new ArrayList<>(states.entrySet())) {
      DeliveryState s = e.getValue();
      if (s.phase() == DeliveryState.Phase.CLOSED
          && s.closedAtMillis() > 0
          && s.closedAtMillis() < before) {
        send(e.getKey(), null);
        states.remove(e.getKey(), s);
        n++;
      }
    }
    return n;
  }

  public int size() {
    return states.size();
  }

  @Override
  public void close() {
    writer.close(Duration.ofSeconds(5));
    reader.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
  }

  /** The state topic cannot be written or read: deliveries stop until it can. */
  public static final class StateWriteException extends RuntimeException {
    StateWriteException(String message, Throwable cause) {
      super(message + (cause == null ? "" : ": " + cause.getMessage()), cause);
    }
  }
}
