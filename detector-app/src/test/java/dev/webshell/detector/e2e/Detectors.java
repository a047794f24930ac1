package dev.webshell.detector.e2e;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.nio.file.Path;
import java.util.List;

/** The settings of a detector the end-to-end tests start in-process on an embedded cluster. */
final class Detectors {
  private Detectors() {}

  /**
   * A detector reading {@code input} as {@code format}, writing JSON alerts to {@code
   * <appId>-alerts} and dead letters to {@code <appId>-dead-letters} (created, one replica), its
   * state under {@code stateDir/<appId>}, without a metrics port; partitions and anything else are
   * the caller's.
   */
  static DetectorService.Builder reading(
      EmbeddedKafkaCluster kafka, String input, String appId, InputFormat format, Path stateDir) {
    return DetectorService.Settings.builder(kafka.clientConfig())
        .inputTopics(List.of(input))
        .outputTopic(appId + "-alerts")
        .deadLetterTopic(appId + "-dead-letters")
        .applicationId(appId)
        .stateDir(stateDir.resolve(appId))
        .inputFormat(format)
        .alertFormat(AlertFormat.JSON)
        .metricsPort(-1)
        .createTopics(true)
        .replicationFactor((short) 1);
  }
}
