package dev.webshell.detector.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webshell.detector.ops.logging.LogFormat;
import dev.webshell.detector.ops.logging.Logging;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ServiceLoader;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.SLF4JServiceProvider;

/** The log lines the shipped log4j2.xml writes, human and JSON, and its levels. */
class LogLineTest {
  private static final Instant T = Instant.parse("2026-11-02T10:00:00.123Z");

  @Test
  void shouldWriteOneJsonObjectPerLineWithTheStackTraceAsAField() throws Exception {
    String line =
        format(
            LogFormat.JSON,
            event(
                Level.ERROR,
                "detector",
                "main",
                "fatal error: \"quoted\"\nsecond line",
                new IllegalStateException("boom")));
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
  void shouldWriteJsonWithoutAnExceptionFieldWhenThereIsNone() throws Exception {
    String line = format(LogFormat.JSON, event(Level.INFO, "detector", "main", "stopped", null));
    JsonNode n = new ObjectMapper().readTree(line);
    assertEquals(
        java.util.List.of("time", "level", "logger", "thread", "message"),
        iterable(n.fieldNames()));
  }

  @Test
  void shouldWriteHumanLinesWithTimeLevelAndShortLoggerName() {
    assertEquals(
        "2026-11-02T10:00:00.123Z WARN  StreamThread: rebalancing",
        format(
            LogFormat.HUMAN,
            event(
                Level.WARN,
                "org.apache.kafka.streams.processor.internals.StreamThread",
                "t",
                "rebalancing",
                null)));
  }

  @Test
  void shouldFollowTheHumanLineWithTheStackTrace() {
    String lines =
        format(
            LogFormat.HUMAN,
            event(
                Level.ERROR,
                "detector",
                "main",
                "fatal error: x",
                new IllegalStateException("boom")));
    assertTrue(
        lines.startsWith(
            "2026-11-02T10:00:00.123Z ERROR detector: fatal error: x"
                + System.lineSeparator()
                + "java.lang.IllegalStateException: boom"),
        lines);
  }

  @Test
  void shouldKeepKafkaInfoOutAndTheDetectorsInfoIn() {
    assertTrue(LoggerFactory.getLogger("detector").isInfoEnabled());
    assertTrue(!LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient").isInfoEnabled());
    assertTrue(LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient").isWarnEnabled());
  }

  @Test
  void shouldTakeTheUsualLevelsFromSystemProperties() {
    LoggerContext context =
        shipped(
            java.util.Map.of(
                "detector.log.level", "debug",
                "detector.log.level.org.apache.kafka", "info",
                "detector.log.level.detector", "warn"));
    try {
      assertEquals(Level.DEBUG, context.getLogger("org.apache.avro.Schema").getLevel());
      assertEquals(Level.INFO, context.getLogger("org.apache.kafka.clients.Metadata").getLevel());
      assertEquals(Level.WARN, context.getLogger("detector").getLevel());
    } finally {
      context.stop();
    }
  }

  @Test
  void shouldTurnKafkaOffWhileAStartupCheckHoldsItAndBackToWarnAfter() throws Exception {
    org.slf4j.Logger network = LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient");
    try (AutoCloseable outer = Logging.off("org.apache.kafka")) {
      try (AutoCloseable inner = Logging.off("org.apache.kafka")) {
        assertFalse(network.isErrorEnabled());
      }
      assertFalse(network.isErrorEnabled(), "still held by the outer check");
    }
    assertTrue(network.isWarnEnabled());
    assertFalse(network.isInfoEnabled());
    assertTrue(LoggerFactory.getLogger("detector").isInfoEnabled());
  }

  @Test
  void shouldLogThroughLog4jAsTheOnlySlf4jProvider() {
    assertEquals(
        java.util.List.of("org.apache.logging.slf4j.SLF4JServiceProvider"),
        ServiceLoader.load(SLF4JServiceProvider.class).stream()
            .map(p -> p.type().getName())
            .toList());
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

  private static LogEvent event(
      Level level, String logger, String thread, String message, Throwable error) {
    return Log4jLogEvent.newBuilder()
        .setTimeMillis(T.toEpochMilli())
        .setLevel(level)
        .setLoggerName(logger)
        .setThreadName(thread)
        .setMessage(new SimpleMessage(message))
        .setThrown(error)
        .build();
  }

  /**
   * The event as the shipped configuration's stderr appender writes it in {@code format}, without
   * the final line break (the system property is the one the run command sets).
   */
  private static String format(LogFormat format, LogEvent event) {
    LoggerContext context =
        shipped(
            java.util.Map.of(
                Logging.FORMAT_PROPERTY, format.name().toLowerCase(java.util.Locale.ROOT)));
    try {
      byte[] bytes =
          context.getConfiguration().getAppender("stderr").getLayout().toByteArray(event);
      String text = new String(bytes, StandardCharsets.UTF_8);
      assertTrue(text.endsWith(System.lineSeparator()), text);
      return text.substring(0, text.length() - System.lineSeparator().length());
    } finally {
      context.stop();
    }
  }

  /** The shipped configuration file in a context of its own, read with these system properties. */
  private static LoggerContext shipped(java.util.Map<String, String> properties) {
    java.util.Map<String, String> before = new java.util.HashMap<>();
    properties.forEach(
        (k, v) -> {
          before.put(k, System.getProperty(k));
          System.setProperty(k, v);
        });
    try {
      LoggerContext context =
          new LoggerContext(
              "LogLineTest", null, LogLineTest.class.getResource("/detector-log4j2.xml").toURI());
      context.start();
      return context;
    } catch (java.net.URISyntaxException e) {
      throw new AssertionError(e);
    } finally {
      before.forEach(
          (k, v) -> {
            if (v == null) {
              System.clearProperty(k);
            } else {
              System.setProperty(k, v);
            }
          });
    }
  }

  private static java.util.List<String> iterable(java.util.Iterator<String> it) {
    java.util.List<String> list = new java.util.ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }
}
