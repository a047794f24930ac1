package dev.webshell.detector.notify;

import dev.webshell.detector.notify.delivery.Tracked;
import java.util.ArrayDeque;
import org.apache.kafka.common.TopicPartition;

/**
 * One assigned partition of the alerts topic: the offsets handed to the destinations and not yet
 * done by all of them. The committable offset is the first of those, or the one after the last
 * record read: an offset is committed only once every destination has accepted, refused
 * (dead-lettered) or skipped its record and everything before it. Used by the consumer thread;
 * workers see only {@link #revoked}.
 */
final class PartitionProgress {
  final TopicPartition partition;
  private final ArrayDeque<Tracked> inFlight = new ArrayDeque<>();
  private volatile boolean revoked;
  private long next = -1;
  private long committed = -1;

  /** While the registry cannot answer: the partition is paused until then (nanoTime). */
  long retryAtNanos;

  boolean pausedForRetry;

  PartitionProgress(TopicPartition partition) {
    this.partition = partition;
  }

  /**
   * @param onComplete told when every destination is done with the record
   */
  Tracked track(long offset, int destinations, Runnable onComplete) {
    Tracked t = new Tracked(offset, destinations, () -> revoked, onComplete);
    inFlight.addLast(t);
    next = offset + 1;
    return t;
  }

  /** A record dealt with on the consumer thread (dead-lettered as unreadable). */
  void handled(long offset) {
    next = offset + 1;
  }

  /** The partition is someone else's now: its records are abandoned here. */
  void revoke() {
    revoked = true;
  }

  /** Abandons the records still waiting (after the workers let go of them). */
  void abandonAll() {
    inFlight.forEach(Tracked::abandon);
    inFlight.clear();
  }

  boolean revoked() {
    return revoked;
  }

  /** The offset to commit now, or -1 when there is nothing new to commit. */
  long committable() {
    while (!inFlight.isEmpty() && inFlight.peekFirst().complete()) {
      inFlight.pollFirst();
    }
    long c = inFlight.isEmpty() ? next : inFlight.peekFirst().offset();
    return c > committed ? c : -1;
  }

  void committed(long offset) {
    committed = Math.max(committed, offset);
  }

  long lastCommitted() {
    return committed;
  }
}
