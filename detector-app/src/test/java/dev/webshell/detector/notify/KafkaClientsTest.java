package dev.webshell.detector.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.webshell.detector.topology.StreamsSettings;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {
  @Test
  void shouldLetNotifysProducerWriteADeadLetterAsLargeAsTheLargestAlert() {
    Map<String, Object> producer = KafkaClients.producer(Map.of("bootstrap.servers", "k:9092"));

    assertEquals(
        StreamsSettings.MAX_RECORD_BYTES, producer.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
    assertEquals(
        2L * StreamsSettings.MAX_RECORD_BYTES, producer.get(ProducerConfig.BUFFER_MEMORY_CONFIG));
  }

  @Test
  void shouldLeaveTheProducersSizesTheUserSetPlainOrPrefixed() {
    Map<String, Object> producer =
        KafkaClients.producer(
            Map.of("max.request.size", "2000000", "producer.buffer.memory", "9000000"));

    assertEquals("2000000", producer.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
    assertEquals("9000000", producer.get(ProducerConfig.BUFFER_MEMORY_CONFIG));
  }

  @Test
  void shouldGiveTheConsumerOnlyItsOwnKeysAndLetPrefixedOnesWin() {
    Map<String, Object> consumer =
        KafkaClients.consumer(
            Map.of("max.poll.records", "10", "consumer.max.poll.records", "20", "linger.ms", "5"));

    assertEquals(Map.of("max.poll.records", "20"), consumer);
  }
}
