package dev.webshell.detector.topology;

import dev.webshell.detector.rule.RuleSpec;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the topology is built from (no I/O happens with it).
 *
 * @param inputTopics topics to read, or empty when {@code inputPattern} is given
 * @param inputPattern a topic pattern, or {@code null}
 * @param persistentStores RocksDB stores (service) or in-memory ones (offline {@code scan})
 */
public record TopologyConfig(
    List<String> inputTopics,
    Pattern inputPattern,
    String outputTopic,
    RuleSpec rule,
    boolean persistentStores) {

  public static final String STREAM_TIME_STORE = "stream-time";
  public static final String WINDOW_STORE = "device-windows";
  public static final String REPARTITION = "matches-by-device";

  public TopologyConfig {
    inputTopics = inputTopics == null ? List.of() : List.copyOf(inputTopics);
    if (inputTopics.isEmpty() == (inputPattern == null)) {
      throw new IllegalArgumentException("give either input topics or an input pattern");
    }
    Objects.requireNonNull(outputTopic, "outputTopic");
    Objects.requireNonNull(rule, "rule");
  }
}
