package dev.webshell.detector.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webshell.detector.ops.logging.LogFormat;
import dev.webshell.detector.ops.logging.LogLine;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class LogLineTest {
  private static final Instant T = Instant.parse("2026-11-02T10:00:00.123Z");

  @Test
  void shouldWriteOneJsonObjectPerLineWithTheStackTraceAsAField() throws Exception {
    String line =
        LogLine.format(
            LogFormat.JSON,
            T,
            Level.ERROR,
            "detector",
            "main",
            "fatal error: \"quoted\"\nsecond line",
            new IllegalStateException("boom"));
    assertEquals(1, line.lines().count(), line);
    JsonNode n = new ObjectMapper().readTree(line);
    assertEquals("2026-11-02T10:00:00.123Z", n.get("time").asText());
    assertEquals("ERROR", n.get("level").asText());
    assertEquals("detector", n.get("logger").asText());
    assertEquals("main", n.get("thread").asText());
    assertEquals("fatal error: \"quoted\"\nsecond line", n.get("message").asText());
    assertTrue(n.get("exception").asText().startsWith("java.lang.IllegalStateException: boom"));
  }

  @Test
  void shouldWriteHumanLinesWithTimeLevelAndShortLoggerName() {
    assertEquals(
        "2026-11-02T10:00:00.123Z WARN  StreamThread: rebalancing",
        LogLine.format(
            LogFormat.HUMAN,
            T,
            Level.WARN,
            "org.apache.kafka.streams.processor.internals.StreamThread",
            "t",
            "rebalancing",
            null));
  }

  @Test
  void shouldKeepKafkaInfoOutAndTheDetectorsInfoIn() {
    assertTrue(LoggerFactory.getLogger("detector").isInfoEnabled());
    assertTrue(!LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient").isInfoEnabled());
    assertTrue(LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient").isWarnEnabled());
  }

  @Test
  void shouldRejectAnUnknownLogFormat() {
    assertEquals(LogFormat.JSON, LogFormat.parse("JSON"));
    assertEquals(LogFormat.HUMAN, LogFormat.parse("human"));
    assertEquals(
        "--log-format must be human or json",
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> LogFormat.parse("xml"))
            .getMessage());
  }
}
