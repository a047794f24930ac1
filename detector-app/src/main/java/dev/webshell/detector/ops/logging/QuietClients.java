package dev.webshell.detector.ops.logging;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Kafka clients whose own log lines are dropped because their user reports every failure itself in
 * one line (the start-up checks: a wrong password is one "refused authentication" line, not a stack
 * trace before it). Kafka prefixes its client log lines with {@code clientId=…}.
 */
public final class QuietClients {
  private static final Set<String> IDS = new CopyOnWriteArraySet<>();

  private QuietClients() {}

  public static void silence(String clientId) {
    IDS.add("clientId=" + clientId + "]");
  }

  static boolean silenced(String logger, String message) {
    if (IDS.isEmpty() || !logger.startsWith("org.apache.kafka")) {
      return false;
    }
    for (String id : IDS) {
      if (message.contains(id)) {
        return true;
      }
    }
    return false;
  }
}
