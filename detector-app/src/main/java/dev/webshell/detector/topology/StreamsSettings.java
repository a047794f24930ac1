package dev.webshell.detector.topology;

import dev.webshell.detector.ops.DetectorMetrics;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams settings the topology relies on, whatever else the user configures. */
public final class StreamsSettings {
  private StreamsSettings() {}

  /**
   * Stream threads when the user sets none: one per CPU the JVM may use (a container's CPU limit
   * where one is set). Decoding is the detector's main per-event cost, so a second core is used
   * only by a second thread; Kafka Streams' own default is 1. Threads beyond the input's partition
   * count stay idle.
   */
  public static int defaultStreamThreads() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Records per poll of the main consumer when the user sets none (Kafka Streams' own default is
   * 1,000). A poll's records are decompressed and copied into the consumer's buffers, then decoded
   * by the stream thread right after; 250 records of about 1.3 KB stay in a core's L2 cache, 1,000
   * do not. Measured with {@code bin/detector bench -D max.poll.records=N} (docs/performance.md,
   * round 5): 2.44 and 2.54 us of CPU per event with 250 against 3.13–3.41 with 1,000.
   */
  public static final int DEFAULT_MAX_POLL_RECORDS = 250;

  /**
   * The detector's defaults for what the user did not set: one stream thread per CPU, and {@link
   * #DEFAULT_MAX_POLL_RECORDS} for the main consumer unless {@code max.poll.records} is set in any
   * of its forms ({@code main.consumer.}, {@code consumer.} or no prefix).
   */
  public static void applyDefaults(Map<? super String, Object> props) {
    props.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, defaultStreamThreads());
    String poll = ConsumerConfig.MAX_POLL_RECORDS_CONFIG;
    if (!props.containsKey(poll)
        && !props.containsKey(StreamsConfig.consumerPrefix(poll))
        && !props.containsKey(StreamsConfig.mainConsumerPrefix(poll))) {
      props.put(StreamsConfig.mainConsumerPrefix(poll), DEFAULT_MAX_POLL_RECORDS);
    }
  }

  /** Dead-letter handlers and their topic; merged over the user's settings. */
  public static Properties required(String deadLetterTopic, DetectorMetrics metrics) {
    Properties p = new Properties();
    p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, deadLetterTopic);
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetters.OnDeserialization.class.getName());
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetters.OnProcessing.class.getName());
    // Recommended by Kafka Streams 4.3 (the default from 5.0); no global tables here either way.
    p.put("processing.exception.handler.global.enabled", true);
    p.put(DeadLetters.METRICS_CONFIG, metrics);
    return p;
  }
}
