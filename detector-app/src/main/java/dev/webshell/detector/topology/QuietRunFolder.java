package dev.webshell.detector.topology;

import dev.webshell.detector.event.Decoded;
import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.event.QuietRuns;
import dev.webshell.detector.rule.Rule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Replaces each run of consecutive quiet records of one input partition by one {@link QuietRuns}
 * record, before Kafka Streams sees them, so that its per-record work is paid once per run. A quiet
 * record can change nothing but stream time and the event counts: every event in it can neither
 * match nor matter to a process tree ({@link DetectProcessor#isQuiet}), and none is unreadable.
 * Most input records are quiet: few processes are shells started by a web server. The topology's
 * output is the same with or without folding.
 *
 * <p>A run's record takes the offset (and timestamp) of its last record: Kafka Streams commits the
 * offset after the last record it processed, so until the run is processed a commit resumes at the
 * record before it, and once it is, after the whole run, as if its records had been processed one
 * by one. Records that may matter pass unchanged, and what they decoded to is handed to the input
 * deserializer ({@link QuietRuns#hand}), so that they are not decoded twice; records that cannot be
 * read pass unchanged too, and Kafka Streams, which decodes them again, hands them to the dead
 * letters as without folding.
 */
public final class QuietRunFolder {
  private final Deserializer<Decoded> input;
  private final Rule rule;
  private final QuietRuns runs;

  /**
   * @param input the topology's input deserializer, which reads {@code runs}' records
   */
  public QuietRunFolder(Deserializer<Decoded> input, Rule rule, QuietRuns runs) {
    this.input = input;
    this.rule = rule;
    this.runs = runs;
  }

  /** The records of one partition, in order, each run of quiet ones replaced by its record. */
  public List<ConsumerRecord<byte[], byte[]>> fold(List<ConsumerRecord<byte[], byte[]>> records) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    Run run = new Run();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      Decoded d = decodeOrNull(r);
      boolean quiet = d != null && DetectProcessor.isQuiet(rule, d);
      if (!quiet || !d.format().equals(run.format())) {
        run.flushTo(out);
      }
      if (quiet) {
        run.add(r, d);
      } else {
        if (d != null) {
          runs.hand(r.value(), d);
        }
        out.add(r);
      }
    }
    run.flushTo(out);
    return out;
  }

  private Decoded decodeOrNull(ConsumerRecord<byte[], byte[]> r) {
    try {
      return input.deserialize(r.topic(), r.headers(), r.value());
    } catch (RuntimeException unreadableOrUnavailable) {
      return null; // Kafka Streams reads it again and handles what it throws
    }
  }

  /** Consecutive quiet records of one format. */
  private final class Run {
    ConsumerRecord<byte[], byte[]> last;
    Decoded firstDecoded;
    int records;
    long[] timestamps = new long[64];
    int n;
    final List<String> skipped = new ArrayList<>();

    /** The run's format, or {@code null} while it is empty. */
    String format() {
      return firstDecoded == null ? null : firstDecoded.format();
    }

    void add(ConsumerRecord<byte[], byte[]> r, Decoded d) {
      if (firstDecoded == null) {
        firstDecoded = d;
      }
      last = r;
      records++;
      for (ProcessEvent e : d.events()) {
        if (n == timestamps.length) {
          timestamps = Arrays.copyOf(timestamps, n * 2);
        }
        timestamps[n++] = e.timestampMicros();
      }
      skipped.addAll(d.skipped());
    }

    void flushTo(List<ConsumerRecord<byte[], byte[]>> out) {
      if (last == null) {
        return;
      }
      if (records == 1) {
        runs.hand(last.value(), firstDecoded);
        out.add(last);
      } else {
        byte[] value = runs.encode(format(), timestamps, n, skipped);
        out.add(
            new ConsumerRecord<>(
                last.topic(),
                last.partition(),
                last.offset(),
                last.timestamp(),
                last.timestampType(),
                0,
                value.length,
                null,
                value,
                new RecordHeaders(),
                last.leaderEpoch()));
      }
      last = null;
      firstDecoded = null;
      records = 0;
      n = 0;
      skipped.clear();
    }
  }
}
