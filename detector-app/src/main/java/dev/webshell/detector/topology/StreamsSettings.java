package dev.webshell.detector.topology;

import dev.webshell.detector.ops.DetectorMetrics;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams settings the topology relies on, whatever else the user configures. */
public final class StreamsSettings {
  private StreamsSettings() {}

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
