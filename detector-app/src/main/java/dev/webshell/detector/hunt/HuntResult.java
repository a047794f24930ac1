package dev.webshell.detector.hunt;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a hunt did.
 *
 * @param recordsPlanned input records between the start and stop offsets
 * @param recordsRead of those, the ones the hunt's group committed
 * @param events events decoded (an envelope holds many), in range or not
 * @param outOfRange events outside {@code [from, to)}, ignored
 * @param alerts alert revisions printed (stdout) or emitted (to {@code --output-topic})
 * @param deadLetterSamples the first dead letters of a private dead-letter topic, described
 * @param leftovers topics or groups the clean-up could not remove (empty when all went)
 * @param recordsLeftOut input records outside the planned offsets, not read
 * @param inconclusive why the result cannot be taken as complete (records left out that may hold
 *     events of the range, or planned records that could not be read), or {@code null}
 */
public record HuntResult(
    String applicationId,
    int partitions,
    long recordsPlanned,
    long recordsRead,
    long events,
    long outOfRange,
    long matches,
    long alerts,
    long deadLetters,
    Map<String, Long> deadLettersByReason,
    Map<String, Long> skippedByCategory,
    List<String> deadLetterSamples,
    Duration elapsed,
    boolean interrupted,
    List<String> leftovers,
    long recordsLeftOut,
    String inconclusive) {

  public HuntResult {
    deadLettersByReason = Map.copyOf(deadLettersByReason);
    skippedByCategory = Map.copyOf(skippedByCategory);
    deadLetterSamples = List.copyOf(deadLetterSamples);
    leftovers = List.copyOf(leftovers);
  }

  public long skipped() {
    return skippedByCategory.values().stream().mapToLong(Long::longValue).sum();
  }
}
