package dev.webshell.detector.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failures that are not the record's fault — a dead letter or an alert the broker would not take, a
 * registry that does not answer — and must therefore neither drop the record nor stop the detector:
 * the stream thread that met one is replaced after a growing delay and its tasks resume from their
 * last committed offsets, so the record is read again. Whoever decides that a failure is of this
 * kind (an exception handler) records it here; the streams client's uncaught-exception handler asks
 * {@link #isRetryable} about the exception that ended the thread.
 *
 * <p>Meanwhile {@link #stalled()} is true (the readiness endpoint answers 503), each failure is
 * counted ({@code detector_retryable_failures_total{reason}}) and logged on one line.
 */
public final class RetryableFailures {
  static final Duration FIRST_DELAY = Duration.ofSeconds(1);
  static final Duration MAX_DELAY = Duration.ofSeconds(60);

  /** Without a failure for this long, the next one starts again at the first delay. */
  static final Duration CALM = Duration.ofMinutes(5);

  private static final Logger LOG = LoggerFactory.getLogger("detector");

  private final Set<Throwable> recorded = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final MeterRegistry meters;
  private final LongSupplier nanoClock;
  private long lastFailureNanos;
  private boolean anyFailure;
  private int consecutive;
  private Duration lastDelay = Duration.ZERO;

  public RetryableFailures(MeterRegistry meters) {
    this(meters, System::nanoTime);
  }

  RetryableFailures(MeterRegistry meters, LongSupplier nanoClock) {
    this.meters = meters;
    this.nanoClock = nanoClock;
    if (meters != null) {
      Gauge.builder("detector.stalled", this, f -> f.stalled() ? 1 : 0)
          .description(
              "1 while a partition waits to retry after a failure that is not the record's fault")
          .register(meters);
    }
  }

  /**
   * Records a failure that must be retried.
   *
   * @param reason labels the metric ({@code write-failed}, ...)
   * @param what what failed, for the log line (never a secret)
   */
  public synchronized void record(String reason, String what, Throwable failure) {
    if (recorded.size() > 1000) {
      recorded.clear(); // those threads are long gone
    }
    recorded.add(failure);
    long now = nanoClock.getAsLong();
    if (!anyFailure || now - lastFailureNanos > CALM.toNanos()) {
      consecutive = 0;
    }
    anyFailure = true;
    lastFailureNanos = now;
    if (meters != null) {
      counters
          .computeIfAbsent(
              reason,
              r ->
                  Counter.builder("detector.retryable.failures")
                      .description(
                          "Failures that are not the record's fault, by reason: the partition"
                              + " waits and reads the record again")
                      .tag("reason", r)
                      .register(meters))
          .increment();
    }
    LOG.warn(
        "{}: {}; the partition will read the record again after a pause", what, oneLine(failure));
  }

  /** Whether {@code thrown}, or one of its causes, was recorded as retryable. */
  public synchronized boolean isRetryable(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (recorded.contains(t)) {
        return true;
      }
    }
    return false;
  }

  /** The pause before the next attempt: 1 s, doubling up to 60 s while failures keep coming. */
  public synchronized Duration nextDelay() {
    long factor = 1L << Math.min(consecutive, 30);
    consecutive++;
    Duration d = FIRST_DELAY.multipliedBy(factor);
    lastDelay = d.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : d;
    return lastDelay;
  }

  /**
   * True from a failure until twice its retry delay (at least 30 s) passed without another one: the
   * partition has been read again by then, or the next failure has come.
   */
  public synchronized boolean stalled() {
    if (!anyFailure) {
      return false;
    }
    Duration quiet = lastDelay.multipliedBy(2);
    if (quiet.compareTo(Duration.ofSeconds(30)) < 0) {
      quiet = Duration.ofSeconds(30);
    }
    return nanoClock.getAsLong() - lastFailureNanos < quiet.toNanos();
  }

  private static String oneLine(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
