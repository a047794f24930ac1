package dev.webshell.detector.topology;

import dev.webshell.detector.event.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How far stream time may run: never past the detector's clock plus a tolerance (SPEC section 4,
 * "Clock skew and forged timestamps"). An event dated later still counts for its own device but
 * does not advance stream time, so one wrong clock or one forged event cannot push other devices'
 * matches out of the lookback.
 *
 * @param fixedNowMicros the clock of an offline run ({@code scan}, {@code hunt}): the wall clock at
 *     its start, so that a run gives the same result from its first to its last record; {@code
 *     null} for the live detector, which reads the wall clock of its stream thread
 * @param toleranceMicros how far ahead of the clock an event may be dated and still advance stream
 *     time
 */
public record DetectorClock(Long fixedNowMicros, long toleranceMicros) {
  /** Kafka's own default for how far ahead a record timestamp may be is one hour; ours is less. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(15);

  public DetectorClock {
    if (toleranceMicros < 0) {
      throw new IllegalArgumentException("the clock-skew tolerance must not be negative");
    }
  }

  /** The live detector: the stream thread's wall clock. */
  public static DetectorClock live(Duration tolerance) {
    return new DetectorClock(null, micros(tolerance));
  }

  /** An offline run: the wall clock at its start. */
  public static DetectorClock fixedAt(Instant now, Duration tolerance) {
    Objects.requireNonNull(now, "now");
    return new DetectorClock(Timestamps.toMicros(now), micros(tolerance));
  }

  /** The newest event time that may advance stream time, given the stream thread's wall clock. */
  public long limitMicros(long wallClockMillis) {
    long now = fixedNowMicros != null ? fixedNowMicros : wallClockMillis * 1000L;
    long limit = now + toleranceMicros;
    return limit < now ? Long.MAX_VALUE : limit;
  }

  public Duration tolerance() {
    return Duration.ofNanos(Math.multiplyExact(toleranceMicros, 1000L));
  }

  private static long micros(Duration d) {
    Objects.requireNonNull(d, "tolerance");
    if (d.isNegative()) {
      throw new IllegalArgumentException("the clock-skew tolerance must not be negative");
    }
    return Math.multiplyExact(d.getSeconds(), 1_000_000L) + d.getNano() / 1000;
  }
}
