package dev.webshell.demo;

import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C during a phase of the demo that cannot wait for its end; also the waits of those phases,
 * which turn an interrupt into one.
 */
final class Stopped extends RuntimeException {
  private static final long serialVersionUID = 1L;

  Stopped() {
    super("stopped", null, false, false);
  }

  static void sleep(long millis) {
    sleepNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  static void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Stopped();
    }
  }
}
