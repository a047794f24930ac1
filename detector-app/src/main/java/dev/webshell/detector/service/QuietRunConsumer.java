package dev.webshell.detector.service;

import dev.webshell.detector.topology.QuietRunFolder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Kafka Streams' main consumer, which folds runs of quiet input records ({@link QuietRunFolder}) as
 * soon as they are polled, while their bytes are still in the cache. Records of the other topics it
 * reads (the repartition topics) pass unchanged.
 */
final class QuietRunConsumer extends KafkaConsumer<byte[], byte[]> {
  private final Predicate<String> isInput;
  private final QuietRunFolder folder;

  QuietRunConsumer(Map<String, Object> config, Predicate<String> isInput, QuietRunFolder folder) {
    super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.isInput = isInput;
    this.folder = folder;
  }

  @Override
  public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
    ConsumerRecords<byte[], byte[]> polled = super.poll(timeout);
    if (polled.isEmpty()) {
      return polled;
    }
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> out = new HashMap<>();
    for (TopicPartition tp : polled.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> records = polled.records(tp);
      out.put(tp, isInput.test(tp.topic()) ? folder.fold(records) : records);
    }
    return new ConsumerRecords<>(out, polled.nextOffsets());
  }
}
