package dev.webshell.detector.topology;

import dev.webshell.detector.window.Progress;
import dev.webshell.detector.window.WindowInput;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * A source's {@link Progress} goes to every partition of the repartition topic, since every device
 * window task needs it; a match goes where its DeviceId's default partitioning puts it (empty:
 * Kafka's default partitioner, the same as without this partitioner).
 */
final class ProgressToEveryPartition implements StreamPartitioner<String, WindowInput> {
  @Override
  public Optional<Set<Integer>> partitions(
      String topic, String key, WindowInput value, int numPartitions) {
    if (value instanceof Progress) {
      return Optional.of(
          IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
    }
    return Optional.empty();
  }
}
