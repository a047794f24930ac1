package dev.webshell.detector.topology;

import dev.webshell.detector.ops.DetectorMetrics;
import java.util.Properties;
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
