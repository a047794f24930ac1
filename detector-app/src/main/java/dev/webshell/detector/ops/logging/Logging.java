package dev.webshell.detector.ops.logging;

import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * The few things the detector asks of its logging backend (Log4j 2, configured by {@code
 * log4j2.xml} on the classpath or the file named by {@code -Dlog4j2.configurationFile}) at run
 * time: the line format, a logger turned off for a while, another configuration for a while.
 * Everything else (levels, layouts, destinations) is in the configuration file.
 */
public final class Logging {
  /**
   * System property the shipped {@code log4j2.xml} reads to choose its layout: {@code json} for
   * {@link LogFormat#JSON}, anything else (or unset) for {@link LogFormat#HUMAN}.
   */
  public static final String FORMAT_PROPERTY = "detector.log.format";

  /** Loggers turned off by {@link #off}: how many holders each has, and its level before. */
  private static final Map<String, Off> OFF = new HashMap<>();

  private record Off(int holders, Level before) {}

  private Logging() {}

  /** Switches the lines of every logger to {@code format}, from the next line on. */
  public static void useFormat(LogFormat format) {
    System.setProperty(FORMAT_PROPERTY, format.name().toLowerCase(Locale.ROOT));
    LoggerContext context = context();
    if (context != null) {
      context.reconfigure(); // the file's arbiter reads the property again
    }
  }

  /** The format {@link #useFormat} chose last ({@link LogFormat#HUMAN} until then). */
  public static LogFormat format() {
    return "json".equals(System.getProperty(FORMAT_PROPERTY)) ? LogFormat.JSON : LogFormat.HUMAN;
  }

  /**
   * Turns the logger {@code name} (and the loggers below it without a level of their own) off until
   * the returned handle is closed, which restores its level. For start-up checks that report every
   * failure themselves in one line: Kafka's client would log the same failure first, with a stack
   * trace. Calls may overlap; the level comes back when the last handle is closed.
   */
  public static AutoCloseable off(String name) {
    synchronized (OFF) {
      Off held = OFF.get(name);
      if (held == null) {
        OFF.put(name, new Off(1, LogManager.getLogger(name).getLevel()));
        Configurator.setLevel(name, Level.OFF);
      } else {
        OFF.put(name, new Off(held.holders() + 1, held.before()));
      }
    }
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.getAndSet(true)) {
        return;
      }
      synchronized (OFF) {
        Off held = OFF.get(name);
        if (held.holders() == 1) {
          OFF.remove(name);
          Configurator.setLevel(name, held.before());
        } else {
          OFF.put(name, new Off(held.holders() - 1, held.before()));
        }
      }
    };
  }

  /**
   * Replaces the logging configuration with the one at {@code configuration} until the returned
   * handle is closed, which brings the previous one back. Nothing is replaced (and closing does
   * nothing) when the user named a configuration file of their own.
   */
  public static AutoCloseable configureUntilClosed(URI configuration) {
    LoggerContext context = context();
    if (context == null || userConfigured()) {
      return () -> {};
    }
    URI previous = context.getConfigLocation();
    context.setConfigLocation(configuration);
    return () -> {
      if (previous != null) {
        context.setConfigLocation(previous);
      } else {
        context.reconfigure();
      }
    };
  }

  /** Whether a configuration file was named with the usual property or environment variable. */
  public static boolean userConfigured() {
    return System.getProperty("log4j2.configurationFile") != null
        || System.getProperty("log4j.configurationFile") != null
        || System.getenv("LOG4J_CONFIGURATION_FILE") != null;
  }

  private static LoggerContext context() {
    return LogManager.getContext(false) instanceof LoggerContext c ? c : null;
  }
}
