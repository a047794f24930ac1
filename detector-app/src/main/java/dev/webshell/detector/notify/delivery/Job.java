package dev.webshell.detector.notify.delivery;

import dev.webshell.schema.WebShellAlert;

/**
 * One alert record handed to one destination's worker: the alert, where it came from, and the
 * tracker of its offset, which the worker tells when it is done with it.
 */
public record Job(WebShellAlert alert, Source source, Tracked tracked) {
  /** The consumed record, for dead letters. */
  public record Source(String topic, int partition, long offset, byte[] key, byte[] value) {}

  /** Whether the partition of this record was taken away (its offset is someone else's now). */
  public boolean revoked() {
    return tracked.revoked();
  }

  public void done() {
    tracked.done();
  }
}
