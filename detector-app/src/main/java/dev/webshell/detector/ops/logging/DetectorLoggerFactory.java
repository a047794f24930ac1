package dev.webshell.detector.ops.logging;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Loggers with levels by name prefix: INFO by default, Kafka's own INFO chatter kept out (WARN),
 * the per-record deserialization error kept out (every unreadable record is already a dead letter
 * with its reason). A system property {@code detector.log.level.<prefix>=LEVEL} (e.g. {@code
 * -Ddetector.log.level.org.apache.kafka=info}, or {@code detector.log.level=debug} for the default)
 * overrides.
 */
final class DetectorLoggerFactory implements ILoggerFactory {
  static final String PROPERTY = "detector.log.level";
  private static final Map<String, Level> DEFAULTS =
      Map.of(
          "org.apache.kafka", Level.WARN,
          "org.apache.kafka.streams.processor.internals.RecordDeserializer", Level.ERROR,
          "org.apache.kafka.streams.TopologyTestDriver", Level.ERROR);
  private final Map<String, Logger> loggers = new ConcurrentHashMap<>();

  @Override
  public Logger getLogger(String name) {
    return loggers.computeIfAbsent(name, n -> new DetectorLogger(n, levelFor(n)));
  }

  static Level levelFor(String name) {
    String prefix = name;
    while (true) {
      String configured = System.getProperty(prefix.isEmpty() ? PROPERTY : PROPERTY + "." + prefix);
      if (configured != null) {
        try {
          return Level.valueOf(configured.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          // an unknown level name: fall through to the defaults
        }
      }
      Level builtIn = DEFAULTS.get(prefix);
      if (builtIn != null) {
        return builtIn;
      }
      if (prefix.isEmpty()) {
        return Level.INFO;
      }
      int dot = prefix.lastIndexOf('.');
      prefix = dot < 0 ? "" : prefix.substring(0, dot);
    }
  }
}
