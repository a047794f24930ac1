package dev.webshell.detector.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsSettingsTest {

  @Test
  void shouldDisableTaskIdlingForOneInputTopicWhereEveryTaskReadsOnePartition() {
    assertEquals(
        Map.of(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L),
        StreamsSettings.taskIdleDefault(List.of("events"), null));
  }

  @Test
  void shouldKeepKafkaStreamsDefaultForSeveralTopicsOrAPatternWhereTasksReadSeveral() {
    assertTrue(StreamsSettings.taskIdleDefault(List.of("a", "b"), null).isEmpty());
    assertTrue(StreamsSettings.taskIdleDefault(List.of(), Pattern.compile("events-.*")).isEmpty());
    assertTrue(StreamsSettings.taskIdleDefault(null, Pattern.compile("events-.*")).isEmpty());
  }

  @Test
  void shouldLeaveAValueTheUserSetAlone() {
    Properties props = new Properties();
    props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "250");
    StreamsSettings.taskIdleDefault(List.of("events"), null).forEach(props::putIfAbsent);
    assertEquals("250", props.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG));
  }
}
