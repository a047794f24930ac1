package dev.webshell.detector.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.notify.delivery.Outcome;
import dev.webshell.detector.notify.delivery.RateLimit;
import dev.webshell.detector.notify.delivery.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeliveryPolicyTest {
  private static final long S = 1_000_000_000L;

  @Test
  void backoffShouldDoubleUpToTheMaximumWithJitterBetweenHalfAndAllOfEachStep() {
    RetryPolicy low = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.0);
    RetryPolicy high =
        new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.999999);
    long[] steps = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
    for (int attempt = 1; attempt <= steps.length; attempt++) {
      long step = steps[attempt - 1];
      assertEquals(
          step / 2, low.backoff(attempt, Optional.empty()).toMillis(), "attempt " + attempt);
      long hi = high.backoff(attempt, Optional.empty()).toMillis();
      assertTrue(hi <= step && hi >= step - 1, attempt + ": " + hi);
    }
  }

  @Test
  void backoffShouldNeverBeShorterThanRetryAfterAndCapAbsurdOnesAtAnHour() {
    RetryPolicy p = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.5);
    assertEquals(Duration.ofSeconds(30), p.backoff(1, Optional.of(Duration.ofSeconds(30))));
    assertEquals(Duration.ofHours(1), p.backoff(1, Optional.of(Duration.ofDays(2))));
  }

  @Test
  void retryAfterShouldReadSecondsAndHttpDates() {
    Instant now = Instant.parse("2026-11-02T22:00:00Z");
    assertEquals(Optional.of(Duration.ofSeconds(120)), RetryPolicy.parseRetryAfter(" 120 ", now));
    assertEquals(
        Optional.of(Duration.ofSeconds(90)),
        RetryPolicy.parseRetryAfter("Mon, 02 Nov 2026 22:01:30 GMT", now));
    assertEquals(Optional.empty(), RetryPolicy.parseRetryAfter("soon", now));
    assertEquals(Optional.empty(), RetryPolicy.parseRetryAfter(null, now));
  }

  @Test
  void outcomesShouldRetry429And408And5xxAndConnectionErrorsAndNothingElse() {
    for (int status : new int[] {0, 408, 429, 500, 502, 503, 504}) {
      assertTrue(new Outcome(status, "", Optional.empty(), "x").retryable(), "" + status);
    }
    for (int status : new int[] {301, 400, 401, 403, 404, 410, 413, 422}) {
      assertTrue(!new Outcome(status, "", Optional.empty(), null).retryable(), "" + status);
    }
  }

  @Test
  void rateLimitShouldAllowNPerSlidingWindowAndSayHowLongToWait() {
    RateLimit limit = RateLimit.parse("3/1m");
    long t = 1_000 * S;
    for (int i = 0; i < 3; i++) {
      assertEquals(Duration.ZERO, limit.waitTime(t + i * S));
      limit.record(t + i * S);
    }
    assertEquals(Duration.ofSeconds(57), limit.waitTime(t + 3 * S));
    assertEquals(Duration.ZERO, limit.waitTime(t + 60 * S));
    limit.record(t + 60 * S);
    assertEquals(Duration.ofSeconds(1), limit.waitTime(t + 60 * S));
  }

  @Test
  void rateLimitShouldParseNoneAndRefuseNonsense() {
    assertTrue(!RateLimit.parse("none").isLimited());
    assertTrue(RateLimit.parse("1/1s").isLimited());
    assertThrows(IllegalArgumentException.class, () -> RateLimit.parse("fast"));
    assertThrows(IllegalArgumentException.class, () -> RateLimit.parse("0/1s"));
    assertThrows(IllegalArgumentException.class, () -> RateLimit.parse("x/1s"));
  }
}
