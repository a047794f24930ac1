package dev.webshell.detector.notify.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When to try again after a 429, a 5xx or a connection error: exponential backoff from {@code
 * initial}, doubling up to {@code max}, with jitter (each wait drawn between half and all of the
 * step, so that instances that failed together do not retry together), and never sooner than the
 * server's {@code Retry-After}. There is no last attempt: a notification is retried until it is
 * accepted or refused (a 4xx), so nothing is lost while a service is down.
 */
public final class RetryPolicy {
  /** A server asking for more than this is waited on for this long, then asked again. */
  static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  private final Duration initial;
  private final Duration max;
  private final DoubleSupplier random;

  public RetryPolicy(Duration initial, Duration max, DoubleSupplier random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff must be positive and max >= initial");
    }
    this.initial = initial;
    this.max = max;
    this.random = random;
  }

  /** The wait before attempt {@code attempt + 1} after {@code attempt} failures (1, 2, …). */
  public Duration backoff(int attempt, Optional<Duration> retryAfter) {
    long step = initial.toMillis();
    for (int i = 1; i < attempt && step < max.toMillis(); i++) {
      step *= 2;
    }
    step = Math.min(step, max.toMillis());
    long jittered = step / 2 + (long) (random.getAsDouble() * (step - step / 2));
    Duration wait = Duration.ofMillis(jittered);
    if (retryAfter.isPresent()) {
      Duration asked =
          retryAfter.get().compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter.get();
      if (asked.compareTo(wait) > 0) {
        wait = asked;
      }
    }
    return wait;
  }

  /**
   * A {@code Retry-After} header: delay-seconds or an HTTP-date (RFC 9110); empty when absent or
   * unreadable.
   */
  public static Optional<Duration> parseRetryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String v = value.trim();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    } catch (NumberFormatException e) {
      // not seconds: an HTTP-date
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
