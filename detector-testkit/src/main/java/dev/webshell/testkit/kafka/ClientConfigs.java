package dev.webshell.testkit.kafka;

import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/** The clients' side of an {@link EmbeddedKafkaCluster}: settings to reach its listeners. */
final class ClientConfigs {
  private ClientConfigs() {}

  /**
   * {@code bootstrap.servers}, {@code security.protocol=SASL_PLAINTEXT}, {@code sasl.mechanism} and
   * a {@code sasl.jaas.config} with the given credentials (valid or not).
   *
   * @param mechanism {@code SCRAM-SHA-512}, {@code SCRAM-SHA-256} or {@code PLAIN}
   */
  static Map<String, Object> sasl(
      String bootstrapServers, String mechanism, String user, String password) {
    String loginModule =
        switch (mechanism) {
          case "PLAIN" -> "org.apache.kafka.common.security.plain.PlainLoginModule";
          case "SCRAM-SHA-512", "SCRAM-SHA-256" ->
              "org.apache.kafka.common.security.scram.ScramLoginModule";
          default -> throw new IllegalArgumentException("unsupported SASL mechanism " + mechanism);
        };
    return Map.of(
        CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        bootstrapServers,
        CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
        SecurityProtocol.SASL_PLAINTEXT.name,
        SaslConfigs.SASL_MECHANISM,
        mechanism,
        SaslConfigs.SASL_JAAS_CONFIG,
        loginModule
            + " required username=\""
            + jaasEscape(user)
            + "\" password=\""
            + jaasEscape(password)
            + "\";");
  }

  /** Escapes a value for a double-quoted JAAS option. */
  static String jaasEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
