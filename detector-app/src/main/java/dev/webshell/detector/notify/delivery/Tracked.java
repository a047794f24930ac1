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

  public Tracked(long offset, int destinations, BooleanSupplier revoked) {
    this.offset = offset;
    this.remaining = new AtomicInteger(destinations);
    this.revoked = revoked;
  }

  public long offset() {
    return offset;
  }

  public void done() {
    remaining.decrementAndGet();
  }

  public boolean complete() {
    return remaining.get() <= 0;
  }

  public boolean revoked() {
    return revoked.getAsBoolean();
  }
}
