package dev.webshell.testkit.kafka;

import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.metadata.UserScramCredentialRecord;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.ApiMessageAndVersion;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * The brokers' side of an {@link EmbeddedKafkaCluster}: their listeners beyond PLAINTEXT, their
 * server settings (sized for the cluster, then SASL and TLS, then the caller's) and the bootstrap
 * metadata every node is formatted with.
 */
final class BrokerConfig {
  /** Name of the PLAINTEXT listener every broker has (also used between brokers). */
  static final String PLAINTEXT_LISTENER = "EXTERNAL";

  /** Name of the PLAINTEXT listener of the KRaft controllers. */
  static final String CONTROLLER_LISTENER = "CONTROLLER";

  /** Name of the SASL_PLAINTEXT listener added when SASL users are configured. */
  static final String SASL_LISTENER = "SASL";

  /**
   * Name of the SSL listener added by {@link EmbeddedKafkaCluster.Builder#tlsListener(boolean)}.
   */
  static final String SSL_LISTENER = "SSL";

  /** Name of the SASL_SSL listener added when both SASL users and TLS are configured. */
  static final String SASL_SSL_LISTENER = "SASL_SSL";

  private static final int SCRAM_ITERATIONS = 4096;

  private final int brokers;
  private final boolean tls;
  private final Map<String, String> saslUsers;
  private final Map<String, Object> brokerProperties;

  /**
   * @param brokers the cluster's size, which sets replication factors and min.insync.replicas
   * @param tls whether the brokers get SSL listeners
   * @param saslUsers user to password, for SASL listeners (none when empty)
   * @param brokerProperties the caller's settings, over the defaults
   */
  BrokerConfig(
      int brokers,
      boolean tls,
      Map<String, String> saslUsers,
      Map<String, Object> brokerProperties) {
    this.brokers = brokers;
    this.tls = tls;
    this.saslUsers = saslUsers;
    this.brokerProperties = brokerProperties;
  }

  /** Listeners beyond PLAINTEXT and CONTROLLER, in the order their ports are assigned. */
  List<String> extraListeners() {
    List<String> names = new ArrayList<>();
    if (!saslUsers.isEmpty()) {
      names.add(SASL_LISTENER);
    }
    if (tls) {
      names.add(SSL_LISTENER);
    }
    if (tls && !saslUsers.isEmpty()) {
      names.add(SASL_SSL_LISTENER);
    }
    return names;
  }

  /**
   * Server config: defaults for the cluster size, then SASL and TLS, then the caller's overrides.
   */
  Map<String, Object> serverConfig(TlsMaterial tlsMaterial) {
    int rf = Math.min(3, brokers);
    int minIsr = brokers >= 3 ? 2 : 1;
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("offsets.topic.replication.factor", String.valueOf(rf));
    c.put("offsets.topic.num.partitions", "5");
    c.put("transaction.state.log.replication.factor", String.valueOf(rf));
    c.put("transaction.state.log.min.isr", String.valueOf(minIsr));
    c.put("transaction.state.log.num.partitions", "5");
    c.put("share.coordinator.state.topic.replication.factor", String.valueOf(rf));
    c.put("share.coordinator.state.topic.min.isr", String.valueOf(minIsr));
    // Kafka 4.3 warns that this belongs to the controller role, but its broker-side auto topic
    // creation still reads it from the broker config, so every node gets it.
    c.put("default.replication.factor", String.valueOf(rf));
    c.put("min.insync.replicas", String.valueOf(minIsr));
    c.put("group.initial.rebalance.delay.ms", "0");
    // Fast failover: a restarted broker may only re-register once the controller has expired the
    // session of its previous incarnation (default 9 s), and controlled shutdown waits for the
    // other brokers' heartbeats (default every 2 s).
    c.put("broker.heartbeat.interval.ms", "500");
    c.put("broker.session.timeout.ms", "3000");
    // behave like a released 4.3.1 broker, not like Kafka's own unstable-feature test setup
    c.put("unstable.api.versions.enable", "false");
    c.put("unstable.feature.versions.enable", "false");
    // a test cluster on a small machine: fewer threads, smaller buffers and segments
    c.put("num.network.threads", "2");
    c.put("num.io.threads", "4");
    c.put("background.threads", "2");
    c.put("num.recovery.threads.per.data.dir", "1");
    c.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
    c.put("log.index.size.max.bytes", String.valueOf(1024 * 1024));
    c.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
    List<String> extra = extraListeners();
    if (!extra.isEmpty()) {
      List<String> protocolMap = new ArrayList<>();
      protocolMap.add(PLAINTEXT_LISTENER + ":PLAINTEXT");
      protocolMap.add(CONTROLLER_LISTENER + ":PLAINTEXT");
      for (String listener : extra) {
        SecurityProtocol protocol =
            switch (listener) {
              case SASL_LISTENER -> SecurityProtocol.SASL_PLAINTEXT;
              case SSL_LISTENER -> SecurityProtocol.SSL;
              default -> SecurityProtocol.SASL_SSL;
            };
        protocolMap.add(listener + ":" + protocol.name);
        if (protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL) {
          c.putAll(tlsMaterial.brokerKeystoreConfig(listenerPrefix(listener)));
        }
        if (protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL) {
          c.putAll(saslConfig(listenerPrefix(listener)));
        }
      }
      c.put("listener.security.protocol.map", String.join(",", protocolMap));
    }
    c.putAll(brokerProperties);
    return c;
  }

  private static String listenerPrefix(String listener) {
    return "listener.name." + listener.toLowerCase(java.util.Locale.ROOT) + ".";
  }

  /** SCRAM-SHA-512 and PLAIN for the configured users on one listener. */
  private Map<String, Object> saslConfig(String prefix) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put(prefix + "sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN");
    c.put(
        prefix + "scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    StringBuilder plain =
        new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
    saslUsers.forEach(
        (user, password) ->
            plain
                .append(" user_")
                .append(user)
                .append("=\"")
                .append(ClientConfigs.jaasEscape(password))
                .append('"'));
    c.put(prefix + "plain.sasl.jaas.config", plain.append(';').toString());
    return c;
  }

  /**
   * Bootstrap metadata of a released 4.3.1 cluster (production metadata version and feature levels)
   * plus the SCRAM credentials, so that SCRAM users exist before any broker serves.
   */
  BootstrapMetadata bootstrapMetadata() throws NoSuchAlgorithmException {
    MetadataVersion mv = MetadataVersion.latestProduction();
    Map<String, Short> features = new TreeMap<>();
    for (Feature f : Feature.PRODUCTION_FEATURES) {
      features.put(f.featureName(), f.defaultLevel(mv));
    }
    BootstrapMetadata base = BootstrapMetadata.fromVersions(mv, features, "embedded-kafka");
    if (saslUsers.isEmpty()) {
      return base;
    }
    List<ApiMessageAndVersion> records = new ArrayList<>(base.records());
    ScramFormatter formatter =
        new ScramFormatter(
            org.apache.kafka.common.security.scram.internals.ScramMechanism.SCRAM_SHA_512);
    for (Map.Entry<String, String> user : saslUsers.entrySet()) {
      ScramCredential credential = formatter.generateCredential(user.getValue(), SCRAM_ITERATIONS);
      records.add(
          new ApiMessageAndVersion(
              new UserScramCredentialRecord()
                  .setName(user.getKey())
                  .setMechanism(ScramMechanism.SCRAM_SHA_512.type())
                  .setSalt(credential.salt())
                  .setStoredKey(credential.storedKey())
                  .setServerKey(credential.serverKey())
                  .setIterations(credential.iterations()),
              (short) 0));
    }
    return BootstrapMetadata.fromRecords(records, "embedded-kafka");
  }
}
