package dev.webshell.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Waits until the leader of every partition of a new topic hosts it. A topic's metadata names its
 * leaders before they host the partitions; an idempotent producer whose first batch is refused then
 * has the batches it sent behind it refused as out of order, until they expire (seen in a bench
 * run: two minutes of retries, then 40 records lost). A leader answers DescribeProducers from the
 * partition itself, so a full answer proves it hosts every one, without writing anything.
 */
final class HostedPartitions {
  private HostedPartitions() {}

  /**
   * Returns once every partition of {@code topic} is hosted by its leader, or at once when the
   * cluster cannot say (no DescribeProducers, or not allowed): then the producers' own checks
   * remain.
   *
   * @throws IllegalStateException when {@code timeout} passes first
   */
  static void await(Admin admin, String topic, int partitions, Duration timeout)
      throws InterruptedException {
    List<TopicPartition> all =
        IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
    long deadline = System.nanoTime() + timeout.toNanos();
    Throwable last;
    do {
      try {
        admin.describeProducers(all).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException)) {
          return;
        }
        last = e.getCause();
      } catch (TimeoutException e) {
        last = e;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    throw new IllegalStateException(
        "the partitions of "
            + topic
            + " were not all hosted by a leader after "
            + timeout.toSeconds()
            + " s: "
            + last,
        last);
  }
}
