package dev.webshell.demo;

import dev.webshell.detector.ops.CaughtUp;
import dev.webshell.detector.service.DetectorStreams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * When the demo's figures are final: the detector has committed its input up to where the producer
 * left it, then its two repartition topics (matches by device, and Windows process creations by
 * host on their way to the process tree) up to the ends they had at that moment, and the alert
 * reader has read every committed alert and dead letter ({@link CaughtUp} answers for the group).
 *
 * <p>The order makes it hold for any number of stream threads. Under exactly-once a task commits
 * its input offsets in the transaction that carries what it wrote while reading them: once the
 * input offsets are committed, every match of those events (and every creation the process tree
 * needs) is committed in a repartition topic and every dead letter in theirs; once the repartition
 * offsets are committed up to those topics' ends, every alert revision of those matches is
 * committed in the alerts topic, whose end is then final. A child whose parent's creation never
 * comes waits in the tree and is dropped later; it would give no alert either way.
 *
 * <p>Unlike a hunt, the wait does not also cover the sources' last progress records, which reach
 * the repartition topic a moment after their last event: the demo's events carry the wall clock as
 * their time, and progress closes only windows whose newest match is 7 days older than that.
 */
final class CatchUp {
  private final Admin admin;
  private final AlertReader reader;
  private final CaughtUp group;

  CatchUp(Admin admin, Map<String, Object> kafkaConfig, AlertReader reader) {
    this.admin = admin;
    this.reader = reader;
    this.group = new CaughtUp(admin, Demo.APPLICATION_ID, () -> probe(kafkaConfig));
  }

  /**
   * Waits until everything the producer sent so far (it has flushed) is processed, committed and
   * read.
   *
   * @param stop when true, the wait ends with {@link Stopped}
   * @throws IllegalStateException after {@code timeout}
   */
  void await(Duration timeout, BooleanSupplier stop) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<TopicPartition, Long> input = null;
    Map<TopicPartition, Long> repartition = null;
    Map<TopicPartition, Long> output = null;
    String lastFailure = null;
    while (true) {
      try {
        if (input == null) {
          input = group.endOffsets(partitions(Demo.EVENTS_TOPIC));
        } else if (repartition == null) {
          if (group.reached(input, group.committed())) {
            List<TopicPartition> internal = new ArrayList<>();
            for (String topic : DetectorStreams.repartitionTopics(Demo.APPLICATION_ID)) {
              internal.addAll(partitions(topic));
            }
            repartition = group.endOffsets(internal);
          }
        } else if (output == null) {
          if (group.reached(repartition, group.committed())) {
            List<TopicPartition> out = new ArrayList<>(partitions(Demo.ALERTS_TOPIC));
            out.addAll(partitions(Demo.DLQ_TOPIC));
            output = group.endOffsets(out);
          }
        } else if (reader.reached(output)) {
          return;
        }
      } catch (IllegalStateException e) {
        // Kafka did not answer in time or refused the call: ask again until the deadline
        lastFailure = e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Stopped();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the detector did not catch up with the input within "
                + timeout.toSeconds()
                + " s ("
                + (input == null
                    ? "the input's end offsets are unknown"
                    : repartition == null
                        ? "events not all processed"
                        : output == null ? "matches not all processed" : "alerts not all read")
                + (lastFailure == null ? "" : "; last error from Kafka: " + lastFailure)
                + "; see "
                + Demo.LOG_FILE
                + ")");
      }
      if (stop.getAsBoolean()) {
        throw new Stopped();
      }
      Stopped.sleep(100);
    }
  }

  private List<TopicPartition> partitions(String topic) throws InterruptedException {
    try {
      List<TopicPartition> tps = new ArrayList<>();
      for (TopicPartitionInfo p :
          admin
              .describeTopics(List.of(topic))
              .topicNameValues()
              .get(topic)
              .get(10, TimeUnit.SECONDS)
              .partitions()) {
        tps.add(new TopicPartition(topic, p.partition()));
      }
      return tps;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Kafka did not describe " + topic + " within 10 s", e);
    }
  }

  /** A reader without a group that sees what a read_committed consumer sees. */
  private static Consumer<byte[], byte[]> probe(Map<String, Object> kafkaConfig) {
    Map<String, Object> config = new HashMap<>(kafkaConfig);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "demo-catch-up-probe");
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
