package dev.webshell.detector.hunt;

import dev.webshell.detector.event.Decoded;
import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.event.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether a plan pruned by record timestamp may leave out events of the range: the records just
 * before each partition's start offset, just from its stop offset, and a few spread over what lies
 * beyond, are read and decoded. If any of them holds an event in {@code [from, to)}, record
 * timestamps do not follow event times closely enough for the pruning: it is unsafe. If none of
 * them could be decoded, nothing is known.
 */
final class PlanCheck {
  /** Records read on each side of each boundary. */
  static final int EDGE = 20;

  /** Records read spread over each left-out stretch beyond the edge. */
  static final int SPREAD = 10;

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration PER_STRETCH = Duration.ofSeconds(5);

  /** What the samples showed. */
  record Verdict(Kind kind, int decoded, String evidence) {
    enum Kind {
      /** The plan leaves nothing out. */
      NOTHING_LEFT_OUT,
      /** Samples were decoded and none holds an event in the range. */
      VERIFIED,
      /** A left-out record holds an event in the range. */
      UNSAFE,
      /** No left-out record could be decoded. */
      UNKNOWN
    }
  }

  private PlanCheck() {}

  /**
   * @param eventTimes the event times (microseconds) a record holds; empty when it cannot be read
   */
  static Verdict check(
      Consumer<byte[], byte[]> consumer,
      HuntPlan plan,
      Instant from,
      Instant to,
      Function<ConsumerRecord<byte[], byte[]>, List<Long>> eventTimes) {
    if (plan.outside() == 0) {
      return new Verdict(Verdict.Kind.NOTHING_LEFT_OUT, 0, null);
    }
    long fromMicros = Timestamps.toMicros(from);
    long toMicros = Timestamps.toMicros(to);
    int decoded = 0;
    for (Map.Entry<TopicPartition, HuntPlan.Range> e : plan.partitions().entrySet()) {
      TopicPartition tp = e.getKey();
      HuntPlan.Range r = e.getValue();
      for (long[] stretch : stretches(r)) {
        for (ConsumerRecord<byte[], byte[]> rec : read(consumer, tp, stretch[0], stretch[1])) {
          List<Long> times = eventTimes.apply(rec);
          if (!times.isEmpty()) {
            decoded++;
          }
          for (long t : times) {
            if (t >= fromMicros && t < toMicros) {
              return new Verdict(
                  Verdict.Kind.UNSAFE,
                  decoded,
                  tp
                      + " offset "
                      + rec.offset()
                      + ", outside the planned offsets "
                      + r.start()
                      + ".."
                      + r.stop()
                      + ", holds an event of "
                      + Timestamps.format(t));
            }
          }
        }
      }
    }
    return decoded == 0
        ? new Verdict(Verdict.Kind.UNKNOWN, 0, null)
        : new Verdict(Verdict.Kind.VERIFIED, decoded, null);
  }

  /** Offset ranges {@code [from, to)} to sample in the stretches the plan leaves out. */
  static List<long[]> stretches(HuntPlan.Range r) {
    List<long[]> out = new ArrayList<>();
    if (r.start() > r.first()) {
      long edge = Math.max(r.first(), r.start() - EDGE);
      out.add(new long[] {edge, r.start()});
      spread(out, r.first(), edge);
    }
    long stop = Math.max(r.stop(), r.start());
    if (r.end() > stop) {
      long edge = Math.min(r.end(), stop + EDGE);
      out.add(new long[] {stop, edge});
      spread(out, edge, r.end());
    }
    return out;
  }

  private static void spread(List<long[]> out, long from, long to) {
    long n = to - from;
    if (n <= 0) {
      return;
    }
    int k = (int) Math.min(SPREAD, n);
    for (int i = 0; i < k; i++) {
      long o = from + n * i / k;
      out.add(new long[] {o, o + 1});
    }
  }

  /** The records of {@code [from, to)} that a read_committed consumer returns (a few seconds). */
  private static List<ConsumerRecord<byte[], byte[]>> read(
      Consumer<byte[], byte[]> consumer, TopicPartition tp, long from, long to) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    consumer.assign(List.of(tp));
    consumer.seek(tp, from);
    long deadline = System.nanoTime() + PER_STRETCH.toNanos();
    while (consumer.position(tp) < to && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
        if (r.offset() < to) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /** The event times a decoded message holds. */
  static List<Long> times(Decoded d) {
    List<Long> out = new ArrayList<>(d.events().size());
    for (ProcessEvent e : d.events()) {
      out.add(e.timestampMicros());
    }
    return out;
  }
}
