package dev.webshell.detector.ops.logging;

import java.io.PrintStream;
import java.time.Instant;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** Writes each event at or above its level to stderr, in the current {@link LogFormat}. */
final class DetectorLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;
  private static final Object LOCK = new Object();
  private final int threshold;

  DetectorLogger(String name, Level threshold) {
    this.name = name;
    this.threshold = threshold.toInt();
  }

  private boolean enabled(Level level) {
    return level.toInt() >= threshold;
  }

  @Override
  public boolean isTraceEnabled() {
    return enabled(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return enabled(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return enabled(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return enabled(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return enabled(Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
    String message = MessageFormatter.basicArrayFormat(pattern, arguments);
    if (message != null && QuietClients.silenced(name, message)) {
      return;
    }
    String line =
        LogLine.format(
            LogFormat.current(),
            Instant.now(),
            level,
            name,
            Thread.currentThread().getName(),
            message == null ? "" : message,
            throwable);
    PrintStream err = System.err;
    synchronized (LOCK) {
      err.println(line);
      err.flush();
    }
  }
}
