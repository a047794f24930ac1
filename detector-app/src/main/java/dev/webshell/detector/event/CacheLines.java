package dev.webshell.detector.event;

/**
 * Brings a record's bytes into the CPU cache before they are decoded.
 *
 * <p>Decoding Avro is a chain of dependent loads: each field's length gives the next field's
 * position, so each 64-byte cache line missing from the cache costs a full memory latency, one
 * after the other. In the detector the record's bytes have usually left the cache by then: a poll's
 * records (up to 1,000 of about 1.3 KB) are decompressed and copied well before the stream thread
 * decodes them. {@link #touch} loads one byte of every line first; those loads do not depend on
 * each other, so the CPU fetches the lines in parallel.
 *
 * <p>Measured with JMH {@code DecodeBenchmark.inputRuleAwareColdRecords} (docs/performance.md).
 */
final class CacheLines {
  /**
   * Only written when a sum that cannot occur occurs: keeps the loads from being optimized away.
   */
  @SuppressWarnings("unused")
  private static volatile int sink;

  private CacheLines() {}

  /** Loads one byte of every cache line {@code data} spans (its last byte included). */
  static void touch(byte[] data) {
    int n = data.length;
    if (n == 0) {
      return;
    }
    int sum = data[n - 1];
    for (int p = 0; p < n; p += 64) {
      sum += data[p];
    }
    // a sum of bytes reaches Integer.MIN_VALUE only for arrays of more than 1 GB, which Kafka
    // records are not; the JIT cannot know that, so it must do the loads
    if (sum == Integer.MIN_VALUE) {
      sink = sum;
    }
  }
}
