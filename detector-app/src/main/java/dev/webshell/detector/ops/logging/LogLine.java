package dev.webshell.detector.ops.logging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.event.Level;

/** Formats one log event as a human line or a JSON line (no trailing newline). */
public final class LogLine {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

  private LogLine() {}

  /**
   * @param logger full logger name; the human form shows only the part after the last dot
   * @param error may be null; its stack trace follows the human line, or is the JSON field {@code
   *     exception}
   */
  public static String format(
      LogFormat format,
      Instant time,
      Level level,
      String logger,
      String thread,
      String message,
      Throwable error) {
    if (format == LogFormat.JSON) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("time", TIME.format(time));
      m.put("level", level.name());
      m.put("logger", logger);
      m.put("thread", thread);
      m.put("message", message);
      if (error != null) {
        m.put("exception", stackTrace(error));
      }
      try {
        return JSON.writeValueAsString(m);
      } catch (JsonProcessingException e) {
        // a map of strings always serializes; keep the line rather than lose it
        return "{\"level\":\"ERROR\",\"message\":\"unloggable event\"}";
      }
    }
    StringBuilder b = new StringBuilder(64 + message.length());
    b.append(TIME.format(time)).append(' ').append(level.name());
    b.append(" ".repeat(Math.max(1, 6 - level.name().length())));
    b.append(logger.substring(logger.lastIndexOf('.') + 1)).append(": ").append(message);
    if (error != null) {
      b.append(System.lineSeparator()).append(stackTrace(error).stripTrailing());
    }
    return b.toString();
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
