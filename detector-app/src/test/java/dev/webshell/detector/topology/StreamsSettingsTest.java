package dev.webshell.detector.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsSettingsTest {

  private static Object mainConsumerMaxPollRecords(Properties props) {
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
    return new StreamsConfig(props)
        .getMainConsumerConfigs("app", "client", 0)
        .get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG);
  }

  @Test
  void shouldGiveTheMainConsumer250RecordsPerPollWhenTheUserSetsNone() {
    Properties props = new Properties();
    StreamsSettings.applyDefaults(props);
    assertEquals(
        String.valueOf(StreamsSettings.DEFAULT_MAX_POLL_RECORDS),
        String.valueOf(mainConsumerMaxPollRecords(props)));
    assertEquals(250, StreamsSettings.DEFAULT_MAX_POLL_RECORDS);
  }

  @Test
  void shouldKeepTheUsersMaxPollRecordsInEveryForm() {
    for (String key :
        new String[] {
          "max.poll.records", "consumer.max.poll.records", "main.consumer.max.poll.records"
        }) {
      Properties props = new Properties();
      props.put(key, "777");
      StreamsSettings.applyDefaults(props);
      assertEquals("777", String.valueOf(mainConsumerMaxPollRecords(props)), key);
    }
  }

  @Test
  void shouldDefaultTheStreamThreadsToTheCpusButKeepTheUsersCount() {
    Map<String, Object> props = new HashMap<>();
    StreamsSettings.applyDefaults(props);
    assertEquals(StreamsSettings.defaultStreamThreads(), props.get("num.stream.threads"));
    Map<String, Object> mine = new HashMap<>(Map.of("num.stream.threads", 5));
    StreamsSettings.applyDefaults(mine);
    assertEquals(5, mine.get("num.stream.threads"));
  }
}
