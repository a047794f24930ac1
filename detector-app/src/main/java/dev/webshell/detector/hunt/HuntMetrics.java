package dev.webshell.detector.hunt;

import dev.webshell.detector.ops.DetectorMetrics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hunt's counters, fed by the topology (stream threads) and read for progress and the summary.
 * Under exactly-once a task that is retried after an error counts its records again, so these are
 * counts of work done; the number of alerts printed is counted where they are printed.
 */
public final class HuntMetrics implements DetectorMetrics {
  private final LongAdder events = new LongAdder();
  private final LongAdder outOfRange = new LongAdder();
  private final LongAdder matches = new LongAdder();
  private final LongAdder late = new LongAdder();
  private final LongAdder alerts = new LongAdder();
  private final Map<String, LongAdder> skipped = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> deadLetters = new ConcurrentHashMap<>();

  @Override
  public void event(String format) {
    events.increment();
  }

  @Override
  public void outOfRange() {
    outOfRange.increment();
  }

  @Override
  public void skippedCategory(String category) {
    skipped.computeIfAbsent(category, c -> new LongAdder()).increment();
  }

  @Override
  public void match() {
    matches.increment();
  }

  @Override
  public void lateDropped() {
    late.increment();
  }

  @Override
  public void alert(long eventMicros, long ingestMillis, long nowMillis) {
    alerts.increment();
  }

  @Override
  public void deadLetter(String reason) {
    deadLetters.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  public long events() {
    return events.sum();
  }

  public long outOfRangeEvents() {
    return outOfRange.sum();
  }

  public long matches() {
    return matches.sum();
  }

  public long lateDroppedMatches() {
    return late.sum();
  }

  public long alertsEmitted() {
    return alerts.sum();
  }

  /** Skipped Streaming API records by category, sorted by name. */
  public Map<String, Long> skippedByCategory() {
    return snapshot(skipped);
  }

  /** Dead letters by reason, sorted by reason. */
  public Map<String, Long> deadLettersByReason() {
    return snapshot(deadLetters);
  }

  public long deadLetters() {
    return deadLetters.values().stream().mapToLong(LongAdder::sum).sum();
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
    Map<String, Long> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
