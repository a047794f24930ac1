package dev.webshell.demo;

/**
 * What the demo sends, one record at a time, for one {@code --input}: a scripted batch, then with
 * {@code --follow} more of the same until stopped. Deterministic for a seed (timestamps aside), so
 * a test can replay the same records through the offline scanner.
 *
 * @param <V> the record as the generator makes it, before the producer serializes it
 */
interface DemoStory<V> {
  /** Whether the scripted batch has been emitted. */
  boolean batchDone();

  /** The next record, dated {@code utcMicros} (the wall clock when it is sent). */
  V next(long utcMicros);

  /** The Kafka key of {@code record}: its device or host, so that one device stays in order. */
  String key(V record);
}
