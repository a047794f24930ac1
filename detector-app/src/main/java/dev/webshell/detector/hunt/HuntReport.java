package dev.webshell.detector.hunt;

import dev.webshell.detector.topology.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/** What a hunt tells its user at the end, on stderr. */
final class HuntReport {
  static final int DEAD_LETTER_SAMPLES = 10;

  private HuntReport() {}

  static void summary(HuntResult r, HuntSettings s, String appId, Consumer<String> info) {
    StringBuilder b = new StringBuilder();
    b.append(r.interrupted() ? "interrupted after " : "done in ")
        .append(String.format(Locale.ROOT, "%.1f s", r.elapsed().toMillis() / 1000.0))
        .append(": ")
        .append(r.recordsRead())
        .append(" of ")
        .append(r.recordsPlanned())
        .append(" records read from ")
        .append(r.partitions())
        .append(" partitions, ")
        .append(r.events())
        .append(" events (")
        .append(r.events() - r.outOfRange())
        .append(" in range), ")
        .append(r.matches())
        .append(" matches, ")
        .append(r.alerts())
        .append(" alert revisions")
        .append(s.outputTopic() == null ? "" : " to " + s.outputTopic())
        .append(", ")
        .append(r.deadLetters())
        .append(" dead letters");
    if (!r.deadLettersByReason().isEmpty()) {
      b.append(" ").append(new TreeMap<>(r.deadLettersByReason()));
    }
    if (s.deadLetterTopic() != null && r.deadLetters() > 0) {
      b.append(" (in ").append(s.deadLetterTopic()).append(")");
    }
    b.append(", ").append(r.skipped()).append(" records of other categories skipped");
    if (!r.skippedByCategory().isEmpty()) {
      b.append(" ").append(new TreeMap<>(r.skippedByCategory()));
    }
    info.accept(b.toString());
    for (String sample : r.deadLetterSamples()) {
      info.accept("dead letter: " + sample);
    }
    if (r.deadLetters() > r.deadLetterSamples().size() && !r.deadLetterSamples().isEmpty()) {
      info.accept("(" + (r.deadLetters() - r.deadLetterSamples().size()) + " more dead letters)");
    }
    info.accept(
        r.leftovers().isEmpty()
            ? "removed " + appId + "-* topics, its consumer group and local state"
            : "left behind: " + String.join("; ", r.leftovers()));
    if (r.inconclusive() != null) {
      info.accept("INCONCLUSIVE: " + r.inconclusive());
    }
  }

  /** The first dead letters of a private dead-letter topic: how they failed, and where from. */
  static List<String> deadLetterSamples(KafkaConsumer<byte[], byte[]> c, String topic) {
    List<String> out = new ArrayList<>();
    TopicPartition tp = new TopicPartition(topic, 0);
    c.assign(List.of(tp));
    c.seekToBeginning(List.of(tp));
    long end = c.endOffsets(List.of(tp), KafkaCalls.TIMEOUT).get(tp);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (c.position(tp) < end && out.size() < DEAD_LETTER_SAMPLES) {
      if (System.nanoTime() > deadline) {
        break;
      }
      for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
        if (out.size() < DEAD_LETTER_SAMPLES) {
          out.add(describe(r));
        }
      }
    }
    return out;
  }

  private static String describe(ConsumerRecord<byte[], byte[]> r) {
    String index = header(r, DeadLetters.ENVELOPE_INDEX);
    return header(r, DeadLetters.SOURCE_TOPIC)
        + "/"
        + header(r, DeadLetters.SOURCE_PARTITION)
        + "@"
        + header(r, DeadLetters.SOURCE_OFFSET)
        + (index == null ? "" : " (record " + index + ")")
        + ": "
        + header(r, DeadLetters.ERROR_REASON)
        + ": "
        + header(r, DeadLetters.ERROR_MESSAGE);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
