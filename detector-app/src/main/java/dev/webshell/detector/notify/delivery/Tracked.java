package dev.webshell.detector.notify.delivery;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A consumed offset waiting for every destination: committable once {@link #complete()}. A
 * destination is done with it when the endpoint accepted it, refused it (dead-lettered), skipped it
 * (already delivered), or a later revision superseded it.
 */
public final class Tracked {
  private final long offset;
  private final AtomicInteger remaining;
  private final BooleanSupplier revoked;
  private final Runnable onComplete;
  private final java.util.concurrent.atomic.AtomicBoolean finished =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * @param onComplete called once, by the destination that completes it
   */
  public Tracked(long offset, int destinations, BooleanSupplier revoked, Runnable onComplete) {
    this.offset = offset;
    this.remaining = new AtomicInteger(destinations);
    this.revoked = revoked;
    this.onComplete = onComplete;
  }

  public long offset() {
    return offset;
  }

  public void done() {
    if (remaining.decrementAndGet() == 0) {
      finish();
    }
  }

  /** Its partition was revoked: nobody will finish it here; counts it as finished. */
  public void abandon() {
    finish();
  }

  private void finish() {
    if (finished.compareAndSet(false, true)) {
      onComplete.run();
    }
  }

  public boolean complete() {
    return remaining.get() <= 0;
  }

  public boolean revoked() {
    return revoked.getAsBoolean();
  }
}
