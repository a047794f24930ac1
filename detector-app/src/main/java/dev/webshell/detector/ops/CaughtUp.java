package dev.webshell.detector.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether a consumer group (a Kafka Streams application, or a plain consumer) has read its input up
 * to given offsets: the one answer to "has it caught up" for the hunt, the demo and the bench.
 *
 * <p>Committed offsets alone can stop short of a target: under exactly-once a partition ends with a
 * transaction marker, which is not a record, and a consumer may commit the offset before it. So a
 * partition whose committed offset sits below its target, unchanged since the previous look, is
 * probed for records a {@code read_committed} consumer could still return below the target.
 */
public final class CaughtUp {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration PROBE = Duration.ofSeconds(2);

  private final Admin admin;
  private final String groupId;
  private final Supplier<Consumer<byte[], byte[]>> readCommittedConsumers;
  private Map<TopicPartition, Long> lastCommitted = Map.of();

  /**
   * @param readCommittedConsumers makes a consumer without a group, {@code read_committed}, for the
   *     probes (closed after each)
   */
  public CaughtUp(
      Admin admin, String groupId, Supplier<Consumer<byte[], byte[]>> readCommittedConsumers) {
    this.admin = admin;
    this.groupId = groupId;
    this.readCommittedConsumers = readCommittedConsumers;
  }

  /** The group's committed offsets now. */
  public Map<TopicPartition, Long> committed() throws InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        get(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata());
    Map<TopicPartition, Long> out = new HashMap<>();
    offsets.forEach(
        (tp, o) -> {
          if (o != null) {
            out.put(tp, o.offset());
          }
        });
    return out;
  }

  /**
   * Whether every partition of {@code targets} has been read up to its target, given the group's
   * {@code committed} offsets (see the class comment). Call it repeatedly with fresh offsets: a
   * partition below its target counts as done only when its offset did not move since the last call
   * and nothing is left to read.
   */
  public boolean reached(Map<TopicPartition, Long> targets, Map<TopicPartition, Long> committed) {
    Map<TopicPartition, Long> last = lastCommitted;
    lastCommitted = committed;
    List<TopicPartition> behind = new ArrayList<>();
    for (Map.Entry<TopicPartition, Long> t : targets.entrySet()) {
      long target = t.getValue();
      Long c = committed.get(t.getKey());
      if (target == 0 || c != null && c >= target) {
        continue;
      }
      if (c == null || !c.equals(last.get(t.getKey()))) {
        return false;
      }
      behind.add(t.getKey());
    }
    for (TopicPartition tp : behind) {
      if (!nothingToRead(tp, committed.get(tp), targets.get(tp))) {
        return false;
      }
    }
    return true;
  }

  /** No record a read_committed consumer would return lies in {@code [from, to)}. */
  private boolean nothingToRead(TopicPartition tp, long from, long to) {
    try (Consumer<byte[], byte[]> probe = readCommittedConsumers.get()) {
      probe.assign(List.of(tp));
      probe.seek(tp, from);
      long deadline = System.nanoTime() + PROBE.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : probe.poll(Duration.ofMillis(200))) {
          if (r.offset() < to) {
            return false;
          }
        }
        if (probe.position(tp) >= to) {
          return true;
        }
      }
      return false;
    }
  }

  /** The last stable offsets (what a read_committed reader reaches) of these partitions. */
  public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> tps)
      throws InterruptedException {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    tps.forEach(tp -> request.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> out = new HashMap<>();
    get(admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all())
        .forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  private static <T> T get(org.apache.kafka.common.KafkaFuture<T> f) throws InterruptedException {
    try {
      return f.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer within " + CALL_TIMEOUT, e);
    }
  }
}
