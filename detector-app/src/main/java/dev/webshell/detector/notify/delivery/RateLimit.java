package dev.webshell.detector.notify.delivery;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * At most {@code permits} requests in any window of {@code per} (a sliding window, as PagerDuty
 * counts its ~120 events a minute per key: no burst at a window's edge can exceed it). Used by one
 * destination's worker thread.
 */
public final class RateLimit {
  /** No limit. */
  public static final RateLimit NONE = new RateLimit(0, Duration.ZERO);

  private final int permits;
  private final long perNanos;
  private final ArrayDeque<Long> sent = new ArrayDeque<>();

  public RateLimit(int permits, Duration per) {
    this.permits = permits;
    this.perNanos = per.toNanos();
  }

  /** {@code 120/1m}, {@code 1/1s}, {@code none}. */
  public static RateLimit parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("none") || t.equals("0")) {
      return NONE;
    }
    int slash = t.indexOf('/');
    if (slash < 1) {
      throw new IllegalArgumentException(
          "rate '" + text + "' is not N/DURATION (e.g. 120/1m, 1/1s) or none");
    }
    int n;
    try {
      n = Integer.parseInt(t.substring(0, slash));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "rate '" + text + "': '" + t.substring(0, slash) + "' is not a number");
    }
    Duration per = dev.webshell.detector.hunt.TimeSpecs.duration(t.substring(slash + 1));
    if (n < 1 || per.isZero() || per.isNegative()) {
      throw new IllegalArgumentException("rate '" + text + "' must be positive");
    }
    return new RateLimit(n, per);
  }

  public boolean isLimited() {
    return permits > 0;
  }

  /** How long until one more request may go at {@code nowNanos} (zero when it may go now). */
  public synchronized Duration waitTime(long nowNanos) {
    if (!isLimited()) {
      return Duration.ZERO;
    }
    while (!sent.isEmpty() && nowNanos - sent.peekFirst() >= perNanos) {
      sent.pollFirst();
    }
    if (sent.size() < permits) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(perNanos - (nowNanos - sent.peekFirst()));
  }

  /** Counts a request sent at {@code nowNanos}. */
  public synchronized void record(long nowNanos) {
    if (isLimited()) {
      sent.addLast(nowNanos);
    }
  }

  @Override
  public String toString() {
    return isLimited() ? permits + "/" + Duration.ofNanos(perNanos) : "none";
  }
}
