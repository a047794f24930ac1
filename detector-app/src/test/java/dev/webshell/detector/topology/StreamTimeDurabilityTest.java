package dev.webshell.detector.topology;

import static java.time.Duration.ofDays;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.rule.RuleSpec;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task's stream time is written behind ({@link WriteBehindStore}): it must still reach the
 * store and its changelog at every commit, so that a restarted detector drops the same late matches
 * (on a real broker: {@code RunEndToEndTest}; the test driver wipes its state on close).
 */
class StreamTimeDurabilityTest {
  @TempDir Path stateDir;

  @Test
  void shouldWriteTheStreamTimeToItsChangelogAtEachCommit() {
    try (TopologyHarness detector = new TopologyHarness(RuleSpec.seed(), stateDir)) {
      TestOutputTopic<String, Long> changelog =
          detector.driver.createOutputTopic(
              "detector-test-" + TopologyConfig.STREAM_TIME_STORE + "-changelog",
              new StringDeserializer(),
              new LongDeserializer());

      detector.send(Ev.at(ofDays(10)).file("notepad.exe"));
      detector.send(Ev.at(ofDays(9)).file("notepad.exe")); // older: stream time stays
      detector.send(Ev.at(ofDays(11)).file("notepad.exe"));

      List<KeyValue<String, Long>> written = changelog.readKeyValuesToList();
      long day10 = Timestamps.toMicros(Ev.T0.plus(ofDays(10)));
      long day11 = Timestamps.toMicros(Ev.T0.plus(ofDays(11)));
      assertEquals(List.of(KeyValue.pair("t", day10), KeyValue.pair("t", day11)), written);
    }
  }
}
