package dev.webshell.demo;

import dev.webshell.detector.service.DetectorService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;

/**
 * When the demo's figures are final: the detector has processed every event produced and every
 * match it passed on through its repartition topic, has committed a transaction after that, and the
 * alert reader has read every committed alert and dead letter.
 *
 * <p>Committed consumer offsets alone cannot tell: the window sub-topology reads a repartition
 * topic, and committed offsets may stop short of a trailing transaction marker. The stream thread's
 * own counters can: {@code process-total} counts each record processed (input events and
 * repartitioned matches alike) and {@code commit-total} each commit, on the one stream thread that
 * processes and commits in turn.
 */
final class CatchUp {
  private final DetectorService.Running detector;
  private final Admin admin;
  private final AlertReader reader;

  CatchUp(DetectorService.Running detector, Admin admin, AlertReader reader) {
    this.detector = detector;
    this.admin = admin;
    this.reader = reader;
  }

  /**
   * Waits until everything {@code produced} says was sent is processed, committed and read.
   *
   * @param stop when true, the wait ends with {@link Stopped}
   * @throws IllegalStateException after {@code timeout}
   */
  void await(LongSupplier produced, Duration timeout, BooleanSupplier stop) {
    long deadline = System.nanoTime() + timeout.toNanos();
    double commitsWhenProcessed = -1;
    while (true) {
      MeterRegistry meters = detector.meters();
      double read = sum(meters, "detector.events");
      double rejected = sum(meters, "detector.dead.letters");
      double target = read + sum(meters, "detector.matches");
      if (commitsWhenProcessed < 0
          && read + rejected >= produced.getAsLong()
          && threadMetric("process-total") >= target) {
        commitsWhenProcessed = threadMetric("commit-total");
      }
      if (commitsWhenProcessed >= 0 && threadMetric("commit-total") > commitsWhenProcessed) {
        try {
          Map<TopicPartition, Long> outEnd = new HashMap<>();
          outEnd.putAll(ends(Demo.ALERTS_TOPIC, Demo.PARTITIONS));
          outEnd.putAll(ends(Demo.DLQ_TOPIC, 1));
          if (reader.reached(outEnd)) {
            return;
          }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          // the broker is busy; ask again
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Stopped();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the detector did not catch up with the input within "
                + timeout.toSeconds()
                + " s (see "
                + Demo.LOG_FILE
                + ")");
      }
      if (stop.getAsBoolean()) {
        throw new Stopped();
      }
      Stopped.sleep(100);
    }
  }

  /** The sum of a counter over its tags. */
  static double sum(MeterRegistry meters, String name) {
    return meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  /** A stream-thread metric of the detector's Kafka Streams client, summed over its threads. */
  private double threadMetric(String name) {
    double total = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : detector.streams().metrics().entrySet()) {
      if (e.getKey().group().equals("stream-thread-metrics")
          && e.getKey().name().equals(name)
          && e.getValue().metricValue() instanceof Number n) {
        total += n.doubleValue();
      }
    }
    return total;
  }

  /** The last stable offsets: where a read_committed reader stands once it has read it all. */
  private Map<TopicPartition, Long> ends(String topic, int partitions)
      throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      request.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    ListOffsetsOptions options = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
    return admin.listOffsets(request, options).all().get(10, TimeUnit.SECONDS).entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
  }
}
