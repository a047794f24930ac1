package dev.webshell.detector.hunt;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.topology.DetectorClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything a retro-hunt is configured with.
 *
 * @param from first event time of the hunt (inclusive)
 * @param to end of the hunt (exclusive)
 * @param slack how far record timestamps may lie from event times; {@code null} for unbounded (read
 *     from the beginning of every partition to the end captured at start)
 * @param slackGiven the user chose {@code slack}; otherwise the pruning it allows is applied only
 *     when samples of the records it leaves out confirm it (see {@link PlanCheck}), and every
 *     record is read when they do not
 * @param outputTopic the user's alert topic, or {@code null} to print alerts (JSON lines)
 * @param deadLetterTopic the user's dead-letter topic, or {@code null} for a private one deleted
 *     after the hunt
 * @param stateDir parent directory of the hunt's local state (a fresh subdirectory is used)
 * @param progressInterval how often plain progress lines are written (the bar redraws faster)
 * @param clock the hunt's clock: the wall clock at its start, with the clock-skew tolerance
 */
public record HuntSettings(
    Map<String, Object> clientConfig,
    List<String> inputTopics,
    Pattern inputPattern,
    Instant from,
    Instant to,
    Duration slack,
    boolean slackGiven,
    InputFormat inputFormat,
    RegistryConfig registry,
    RuleSpec rule,
    String outputTopic,
    AlertFormat alertFormat,
    String deadLetterTopic,
    String processingGuarantee,
    Path stateDir,
    Duration progressInterval,
    DetectorClock clock) {

  public static final String APPLICATION_ID_PREFIX = "web-shell-detector-hunt-";

  /** The slack tried when none is given. */
  public static final Duration DEFAULT_SLACK = Duration.ofHours(1);

  public HuntSettings {
    Objects.requireNonNull(clientConfig, "clientConfig");
    inputTopics = inputTopics == null ? List.of() : List.copyOf(inputTopics);
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("--from must be before --to");
    }
    if (slack != null && slack.isNegative()) {
      throw new IllegalArgumentException("--slack must not be negative");
    }
    Objects.requireNonNull(inputFormat, "inputFormat");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(alertFormat, "alertFormat");
    Objects.requireNonNull(processingGuarantee, "processingGuarantee");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(progressInterval, "progressInterval");
    Objects.requireNonNull(clock, "clock");
  }
}
