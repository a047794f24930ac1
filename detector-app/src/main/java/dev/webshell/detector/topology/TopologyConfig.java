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
 * @param fromMicros events with an earlier Timestamp are ignored, as if absent ({@code hunt}); null
 *     for no lower bound
 * @param toMicros events with this Timestamp or a later one are ignored ({@code hunt}); null for no
 *     upper bound
 * @param clock how far stream time may run ahead of the detector's clock
 */
public record TopologyConfig(
    List<String> inputTopics,
    Pattern inputPattern,
    String outputTopic,
    RuleSpec rule,
    boolean persistentStores,
    Long fromMicros,
    Long toMicros,
    DetectorClock clock) {

  public static final String STREAM_TIME_STORE = "stream-time";
  public static final String WINDOW_STORE = "device-windows";
  public static final String CLOSING_STORE = "alert-closings";
  public static final String TREE_STORE = "process-tree";
  public static final String WAITING_STORE = "process-tree-waiting";
  public static final String TREE_REPARTITION = "processes-by-host";
  public static final String REPARTITION = "matches-by-device";

  public TopologyConfig {
    inputTopics = inputTopics == null ? List.of() : List.copyOf(inputTopics);
    if (inputTopics.isEmpty() == (inputPattern == null)) {
      throw new IllegalArgumentException("give either input topics or an input pattern");
    }
    Objects.requireNonNull(outputTopic, "outputTopic");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(clock, "clock");
    if (fromMicros != null && toMicros != null && fromMicros >= toMicros) {
      throw new IllegalArgumentException("the event-time range is empty: from >= to");
    }
  }

  /** Every event counts (the live detector and {@code scan}). */
  public TopologyConfig(
      List<String> inputTopics,
      Pattern inputPattern,
      String outputTopic,
      RuleSpec rule,
      boolean persistentStores,
      DetectorClock clock) {
    this(inputTopics, inputPattern, outputTopic, rule, persistentStores, null, null, clock);
  }

  /** Whether an event with this Timestamp lies inside the event-time range. */
  public boolean inRange(long timestampMicros) {
    return (fromMicros == null || timestampMicros >= fromMicros)
        && (toMicros == null || timestampMicros < toMicros);
  }
}
