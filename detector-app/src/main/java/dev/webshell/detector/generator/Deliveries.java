package dev.webshell.detector.generator;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * What a producer of generated traffic had written: the callback of every {@code send}. {@code
 * send} returns before the broker answers and {@code flush} does not throw for a record that
 * failed, so without it {@code generate}, the demo and the bench would report records the broker
 * never took (a topic just created can refuse the first batches until its leader hosts it).
 *
 * <p>The producer's I/O thread calls {@link #onCompletion}; the sending thread reads the counts.
 */
public final class Deliveries implements Callback {
  private final LongAdder written = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

  @Override
  public void onCompletion(RecordMetadata metadata, Exception exception) {
    if (exception == null) {
      written.increment();
    } else {
      failed.increment();
      firstFailure.compareAndSet(null, exception);
    }
  }

  /** Records the broker acknowledged. */
  public long written() {
    return written.sum();
  }

  /** Records the producer gave up on. */
  public long failed() {
    return failed.sum();
  }

  /**
   * Nothing if no record failed; otherwise an exception saying how many records did not reach
   * {@code topic} and why the first did not, in one line for a user ({@code "N records were not
   * written to TOPIC (M were): <first failure>"}), with that failure as its cause.
   */
  public void check(String topic) {
    Exception first = firstFailure.get();
    if (first != null) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "%,d records were not written to %s (%,d were): %s: %s",
              failed(),
              topic,
              written(),
              first.getClass().getSimpleName(),
              first.getMessage()),
          first);
    }
  }
}
