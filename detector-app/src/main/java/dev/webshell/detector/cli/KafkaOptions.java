package dev.webshell.detector.cli;

import dev.webshell.detector.service.ClientConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** How to reach Kafka: brokers, a client properties file, and overrides. */
public final class KafkaOptions {
  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT,…",
      description = "Kafka brokers. Env: DETECTOR_BOOTSTRAP_SERVERS.")
  String bootstrapServers;

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      description =
          "Kafka client/Streams properties (SASL, TLS, tuning), e.g. security.protocol=SASL_SSL."
              + " Secrets can use Kafka config providers (${file:…}, ${env:…}). Env:"
              + " DETECTOR_KAFKA_CONFIG.")
  Path kafkaConfig;

  @Option(
      names = "-D",
      paramLabel = "KEY=VALUE",
      mapFallbackValue = "",
      description = "A Kafka client or Streams setting; repeatable; wins over --kafka-config.")
  Map<String, String> overrides = new LinkedHashMap<>();

  Map<String, Object> clientConfig() {
    return ClientConfig.build(bootstrapServers, kafkaConfig, overrides);
  }

  /** The {@code --kafka-config} file's properties and the {@code -D} overrides, without brokers. */
  Map<String, Object> properties() {
    return ClientConfig.properties(kafkaConfig, overrides);
  }
}
