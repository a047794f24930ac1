package dev.webshell.detector.hunt;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a hunt reads, per input partition, decided once at start from record timestamps:
 *
 * <ul>
 *   <li>{@code start}: the first offset whose record timestamp is at or after {@code from - slack}
 *       ({@code offsetsForTimes}); the end offset when there is none (nothing to read);
 *   <li>{@code stop}: the first offset whose record timestamp is at or after {@code to + slack}, or
 *       the end offset captured now, whichever comes first. The hunt is done with the partition
 *       once its committed offset reaches {@code stop}.
 * </ul>
 *
 * With an unbounded slack ({@code null}) every partition is read from its beginning to the end
 * captured at start.
 */
public record HuntPlan(Map<TopicPartition, Range> partitions) {

  /**
   * Offsets of one partition: read {@code [start, stop)}; {@code first} and {@code end} as captured
   * at start (the partition's first offset and its last stable offset).
   */
  public record Range(long first, long start, long stop, long end) {
    public long records() {
      return Math.max(0, stop - start);
    }

    /** Records of the partition the plan leaves out, before its start and from its stop. */
    public long outside() {
      return Math.max(0, start - first) + Math.max(0, end - Math.max(stop, start));
    }
  }

  public HuntPlan {
    partitions = Map.copyOf(partitions);
  }

  /**
   * Plans the hunt with a consumer (no group needed; read_committed so that the end offsets are
   * those Kafka Streams under exactly-once can reach).
   */
  public static HuntPlan compute(
      Consumer<?, ?> consumer,
      Collection<TopicPartition> tps,
      Instant from,
      Instant to,
      Duration slack,
      Duration timeout) {
    // assigned (never polled) so that the consumer keeps the last stable offsets it is sent
    consumer.assign(tps);
    Map<TopicPartition, Long> end = consumer.endOffsets(tps, timeout);
    Map<TopicPartition, Long> beginning = consumer.beginningOffsets(tps, timeout);
    Map<TopicPartition, OffsetAndTimestamp> starts = Map.of();
    Map<TopicPartition, OffsetAndTimestamp> stops = Map.of();
    if (slack != null) {
      starts = consumer.offsetsForTimes(times(tps, minus(from, slack)), timeout);
      stops = consumer.offsetsForTimes(times(tps, plus(to, slack)), timeout);
    }
    Map<TopicPartition, Range> out = new LinkedHashMap<>();
    for (TopicPartition tp : tps) {
      long e = end.get(tp);
      long start;
      long stop;
      if (slack == null) {
        start = beginning.get(tp);
        stop = e;
      } else {
        OffsetAndTimestamp s = starts.get(tp);
        OffsetAndTimestamp t = stops.get(tp);
        start = s == null ? e : Math.min(s.offset(), e);
        stop = t == null ? e : Math.min(t.offset(), e);
      }
      long f = Math.min(beginning.get(tp), e);
      out.put(tp, new Range(f, start, Math.max(start, stop), e));
    }
    return new HuntPlan(out);
  }

  /** Every record of every partition, from its first offset to its end captured now. */
  public static HuntPlan everything(
      Consumer<?, ?> consumer, Collection<TopicPartition> tps, Duration timeout) {
    return compute(consumer, tps, Instant.EPOCH, Instant.EPOCH.plusMillis(1), null, timeout);
  }

  /** Records the plan leaves out. */
  public long outside() {
    return partitions.values().stream().mapToLong(Range::outside).sum();
  }

  public long totalRecords() {
    return partitions.values().stream().mapToLong(Range::records).sum();
  }

  /** Records read so far, given the group's committed offsets (a missing one counts as start). */
  public long recordsDone(Map<TopicPartition, Long> committed) {
    long done = 0;
    for (Map.Entry<TopicPartition, Range> e : partitions.entrySet()) {
      Range r = e.getValue();
      Long c = committed.get(e.getKey());
      long at = c == null ? r.start() : Math.max(r.start(), Math.min(c, r.stop()));
      done += at - r.start();
    }
    return done;
  }

  /** Offsets to commit for the hunt's group before it starts. */
  public Map<TopicPartition, Long> startOffsets() {
    Map<TopicPartition, Long> out = new HashMap<>();
    partitions.forEach((tp, r) -> out.put(tp, r.start()));
    return out;
  }

  private static Map<TopicPartition, Long> times(Collection<TopicPartition> tps, long millis) {
    Map<TopicPartition, Long> m = new HashMap<>();
    for (TopicPartition tp : tps) {
      m.put(tp, Math.max(0, millis));
    }
    return m;
  }

  private static long minus(Instant t, Duration d) {
    try {
      return Math.max(0, t.minus(d).toEpochMilli());
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return 0;
    }
  }

  private static long plus(Instant t, Duration d) {
    try {
      return t.plus(d).toEpochMilli();
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return Long.MAX_VALUE;
    }
  }
}
