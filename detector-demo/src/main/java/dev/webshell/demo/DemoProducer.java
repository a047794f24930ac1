package dev.webshell.demo;

import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.generator.Deliveries;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The demo's traffic on the events topic, keyed by device and serialized as the input asks
 * (Confluent Avro through the registry for Defender, Sysmon JSON): the scripted batch ({@link
 * DemoStory}) at a set rate, then with {@code --follow} more of it until stopped. Event times are
 * the wall clock when sent.
 *
 * @param <V> the story's records
 */
final class DemoProducer<V> implements AutoCloseable {
  private final DemoStory<V> script;
  private final KafkaProducer<String, V> producer;
  private final BooleanSupplier stopRequested;
  private final Deliveries deliveries = new Deliveries();
  private long produced;
  private double batchSeconds;

  /**
   * @param values serializes the story's records; closed with this producer
   */
  DemoProducer(
      Map<String, Object> kafkaConfig,
      Serializer<V> values,
      DemoStory<V> script,
      BooleanSupplier stopRequested) {
    this.script = script;
    this.stopRequested = stopRequested;
    Map<String, Object> config = new HashMap<>(kafkaConfig);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "demo-generator");
    this.producer = new KafkaProducer<>(config, new StringSerializer(), values);
  }

  /** Sends the scripted batch at {@code rate} events/s (0: as fast as possible), then flushes. */
  void batch(double rate) {
    long p0 = System.nanoTime();
    long sent = 0;
    while (!script.batchDone()) {
      if (stopRequested.getAsBoolean()) {
        throw new Stopped();
      }
      send(script.next(Timestamps.toMicros(Instant.now())));
      sent++;
      pace(p0, sent, rate);
    }
    producer.flush();
    deliveries.check(Demo.EVENTS_TOPIC);
    batchSeconds = (System.nanoTime() - p0) / 1e9;
  }

  /** Sends more of the script at {@code rate} events/s until a stop is requested. */
  void follow(double rate) {
    long p0 = System.nanoTime();
    long sent = 0;
    while (!stopRequested.getAsBoolean() && deliveries.failed() == 0) {
      send(script.next(Timestamps.toMicros(Instant.now())));
      sent++;
      if (!paceInterruptibly(p0, sent, rate)) {
        break;
      }
    }
    producer.flush();
    deliveries.check(Demo.EVENTS_TOPIC);
  }

  /** Events sent so far. */
  long produced() {
    return produced;
  }

  /** How long the batch took to send. */
  double batchSeconds() {
    return batchSeconds;
  }

  private void send(V record) {
    producer.send(new ProducerRecord<>(Demo.EVENTS_TOPIC, script.key(record), record), deliveries);
    produced++;
  }

  private static void pace(long startNanos, long sent, double rate) {
    if (rate <= 0) {
      return;
    }
    long wait = startNanos + (long) (sent * 1e9 / rate) - System.nanoTime();
    if (wait > 0) {
      Stopped.sleepNanos(wait);
    }
  }

  /** Like pace, but wakes up for a stop request; false once one came. */
  private boolean paceInterruptibly(long startNanos, long sent, double rate) {
    long due = startNanos + (long) (sent * 1e9 / Math.max(rate, 0.1));
    while (!stopRequested.getAsBoolean()) {
      long wait = due - System.nanoTime();
      if (wait <= 0) {
        return true;
      }
      Stopped.sleepNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
    }
    return false;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
