package dev.webshell.demo;

import dev.webshell.detector.registry.ConfluentAvroDeserializer;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.schema.WebShellAlert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A thread that prints every alert revision as soon as its transaction commits (read_committed),
 * counts the dead letters, and tells how far it has read each partition.
 */
final class AlertReader implements AutoCloseable {
  private final Map<TopicPartition, Long> consumed = new ConcurrentHashMap<>();
  private final AtomicLong deadLetters = new AtomicLong();
  private final AtomicLong unreadableAlerts = new AtomicLong();
  private final SchemaRegistryClient client;
  private final KafkaConsumer<String, byte[]> consumer;
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread thread;

  /** Starts reading the alert and dead-letter topics from their beginning. */
  AlertReader(
      Map<String, Object> kafkaConfig, RegistryConfig registryConfig, AlertPrinter printer) {
    Map<String, Object> config = new HashMap<>(kafkaConfig);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "demo-alert-reader");
    client = SchemaRegistryClients.create(registryConfig);
    ConfluentAvroDeserializer<WebShellAlert> alerts =
        ConfluentAvroDeserializer.specific(client, WebShellAlert.class);
    consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (int p = 0; p < Demo.PARTITIONS; p++) {
      partitions.add(new TopicPartition(Demo.ALERTS_TOPIC, p));
    }
    partitions.add(new TopicPartition(Demo.DLQ_TOPIC, 0));
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    thread =
        new Thread(
            () -> {
              try {
                while (true) {
                  for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (Demo.DLQ_TOPIC.equals(r.topic())) {
                      deadLetters.incrementAndGet();
                      continue;
                    }
                    try {
                      printer.print(alerts.deserialize(r.topic(), r.value()));
                    } catch (RuntimeException e) {
                      unreadableAlerts.incrementAndGet();
                    }
                  }
                  for (TopicPartition tp : partitions) {
                    consumed.put(tp, consumer.position(tp));
                  }
                }
              } catch (WakeupException stop) {
                // closing
              } finally {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
                done.countDown();
              }
            },
            "demo-alert-reader");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether it has read every partition in {@code ends} up to that offset. */
  boolean reached(Map<TopicPartition, Long> ends) {
    return ends.entrySet().stream()
        .allMatch(e -> consumed.getOrDefault(e.getKey(), -1L) >= e.getValue());
  }

  long deadLetters() {
    return deadLetters.get();
  }

  long unreadableAlerts() {
    return unreadableAlerts.get();
  }

  @Override
  public void close() throws InterruptedException {
    consumer.wakeup();
    done.await(10, TimeUnit.SECONDS);
    client.close();
  }
}
