package dev.webshell.detector.ops;

/**
 * What the topology reports while it runs. The topology only calls this interface; the Micrometer
 * implementation lives with the service, so the builder stays free of I/O.
 */
public interface DetectorMetrics {
  DetectorMetrics NONE = new DetectorMetrics() {};

  default void event(String format) {}

  default void skippedCategory(String category) {}

  /** An event outside the topology's event-time range (a hunt's {@code [from, to)}), ignored. */
  default void outOfRange() {}

  default void match() {}

  default void lateDropped() {}

  /**
   * An event dated later than the detector's clock plus its tolerance: it counts for its device but
   * does not advance stream time.
   */
  default void aheadOfClock() {}

  default void alert(long eventMicros, long ingestMillis, long nowMillis) {}

  default void deadLetter(String reason) {}

  /** A closing revision: the device's window emptied. */
  default void alertClosed() {}

  /**
   * A Windows process creation matched through its host's process tree; {@code waited}: it was read
   * before its parent's creation and waited for it.
   */
  default void lineageResolved(boolean waited) {}

  /**
   * A shell dropped without its grandparent: its parent's creation never came within the wait, or
   * ({@code waitingFull}) it was turned away at once since too many were waiting.
   */
  default void orphaned(boolean waitingFull) {}
}
