package dev.webshell.testkit.kafka;

import static dev.webshell.testkit.kafka.BrokerConfig.CONTROLLER_LISTENER;
import static dev.webshell.testkit.kafka.BrokerConfig.PLAINTEXT_LISTENER;
import static dev.webshell.testkit.kafka.BrokerConfig.SASL_LISTENER;
import static dev.webshell.testkit.kafka.BrokerConfig.SASL_SSL_LISTENER;
import static dev.webshell.testkit.kafka.BrokerConfig.SSL_LISTENER;

import dev.webshell.testkit.PortRetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, in-process, multi-broker KRaft Kafka cluster for tests and the demo, built on {@code
 * org.apache.kafka:kafka-test-common-runtime} ({@link KafkaClusterTestKit}). No Docker, no
 * ZooKeeper, nothing but loopback sockets and a temporary directory.
 *
 * <p>Defaults make exactly-once Kafka Streams work out of the box: on one broker every internal
 * topic has replication factor 1 and {@code min.insync.replicas=1}; on three or more brokers
 * replication factor 3 and {@code min.insync.replicas=2}, so one broker may fail without stopping
 * transactions. {@code group.initial.rebalance.delay.ms} is 0 and the internal topics have few
 * partitions, so groups and transactions start quickly.
 *
 * <p>Every broker has a PLAINTEXT listener ({@link #bootstrapServers()}); with {@link
 * Builder#saslUser(String, String)} each broker also gets a SASL_PLAINTEXT listener ({@link
 * #saslBootstrapServers()}) accepting SCRAM-SHA-512 and PLAIN for the configured users. With {@link
 * Builder#tlsListener(boolean)} each broker also gets an SSL listener ({@link
 * #sslBootstrapServers()}, {@link #sslClientConfig()}) whose certificate, signed by a throwaway CA
 * ({@link TlsMaterial}), is valid for {@code localhost} and {@code 127.0.0.1}; with both, also a
 * SASL_SSL listener ({@link #saslSslBootstrapServers()}). The listeners bind once and keep their
 * ports across {@link #stopBroker(int)} / {@link #startBroker(int)}.
 *
 * <pre>{@code
 * try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(1)) {
 *   kafka.createTopic("events", 3, (short) 1);
 *   Map<String, Object> props = new HashMap<>(kafka.clientConfig());
 *   ...
 * }
 * }</pre>
 *
 * <p>Thread safety: the query methods may be called from any thread; {@link #createTopic}, {@link
 * #stopBroker}, {@link #startBroker} and {@link #close} are meant to be called from the test
 * thread.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

  /** The test kit numbers brokers from 0 (its {@code FIRST_BROKER_ID}). */
  private static final int FIRST_BROKER_ID = 0;

  private static final Duration WAIT_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaClusterTestKit kit;
  private final Path baseDirectory;
  private final String bootstrapServers;
  private final String saslBootstrapServers;
  private final String sslBootstrapServers;
  private final String saslSslBootstrapServers;
  private final TlsMaterial tls;
  private final Set<Integer> stopped = Collections.synchronizedSet(new TreeSet<>());
  private final Duration startupTime;
  private volatile Admin admin;
  private volatile boolean closed;

  private EmbeddedKafkaCluster(
      KafkaClusterTestKit kit,
      Path baseDirectory,
      Map<String, Map<Integer, Integer>> listenerPorts,
      TlsMaterial tls,
      Duration startupTime) {
    this.kit = kit;
    this.baseDirectory = baseDirectory;
    this.startupTime = startupTime;
    this.tls = tls;
    // Ports never change: the plaintext sockets are pre-bound by the test kit and re-bound to the
    // same port on restart; the SASL and SSL ports are fixed in the broker config.
    this.bootstrapServers = kit.bootstrapServers();
    this.saslBootstrapServers = bootstrap(listenerPorts.get(SASL_LISTENER));
    this.sslBootstrapServers = bootstrap(listenerPorts.get(SSL_LISTENER));
    this.saslSslBootstrapServers = bootstrap(listenerPorts.get(SASL_SSL_LISTENER));
  }

  private static String bootstrap(Map<Integer, Integer> ports) {
    return ports == null || ports.isEmpty()
        ? null
        : ports.values().stream().map(port -> "localhost:" + port).collect(Collectors.joining(","));
  }

  /**
   * Starts a cluster of {@code brokers} brokers with the defaults described in the class comment
   * (one combined broker+controller node, the other nodes brokers only) and waits until every
   * broker is registered, unfenced and has caught up with the metadata.
   *
   * @param brokers number of brokers, at least 1
   * @return the running cluster; close it to stop the brokers and delete their data
   */
  public static EmbeddedKafkaCluster start(int brokers) {
    return builder().brokers(brokers).start();
  }

  /**
   * Returns a builder for a cluster with non-default options (controller layout, broker properties,
   * SASL users).
   *
   * @return a new builder with one broker and a combined controller
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Bootstrap servers of the PLAINTEXT listeners of all brokers, e.g. {@code
   * localhost:40123,localhost:40125}. Stable for the life of the cluster, stopped brokers included.
   *
   * @return comma-separated {@code host:port} list
   */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * Bootstrap servers of the SASL_PLAINTEXT listeners (SCRAM-SHA-512 and PLAIN) of all brokers.
   *
   * @return comma-separated {@code host:port} list
   * @throws IllegalStateException if the cluster was built without SASL users
   */
  public String saslBootstrapServers() {
    if (saslBootstrapServers == null) {
      throw new IllegalStateException(
          "SASL listener not enabled: build the cluster with builder().saslUser(user, password)");
    }
    return saslBootstrapServers;
  }

  /**
   * Whether this cluster has the SASL_PLAINTEXT listener.
   *
   * @return true if SASL users were configured
   */
  public boolean saslEnabled() {
    return saslBootstrapServers != null;
  }

  /**
   * Bootstrap servers of the SSL listeners of all brokers, e.g. {@code localhost:40127}. Their
   * certificate names {@code localhost} and {@code 127.0.0.1}.
   *
   * @return comma-separated {@code host:port} list
   * @throws IllegalStateException if the cluster was built without TLS
   */
  public String sslBootstrapServers() {
    if (sslBootstrapServers == null) {
      throw new IllegalStateException(
          "SSL listener not enabled: build the cluster with builder().tlsListener(true)");
    }
    return sslBootstrapServers;
  }

  /**
   * Bootstrap servers of the SASL_SSL listeners (SCRAM-SHA-512 and PLAIN over TLS).
   *
   * @return comma-separated {@code host:port} list
   * @throws IllegalStateException unless the cluster was built with both SASL users and TLS
   */
  public String saslSslBootstrapServers() {
    if (saslSslBootstrapServers == null) {
      throw new IllegalStateException(
          "SASL_SSL listener not enabled: build the cluster with saslUser(…) and tlsListener(true)");
    }
    return saslSslBootstrapServers;
  }

  /**
   * Whether this cluster has the SSL listener.
   *
   * @return true if built with {@link Builder#tlsListener(boolean) tlsListener(true)}
   */
  public boolean tlsEnabled() {
    return tls != null;
  }

  /**
   * The generated CA, broker keystore and client truststore (under {@link #baseDirectory()}).
   *
   * @return the TLS material of the SSL listeners
   * @throws IllegalStateException if the cluster was built without TLS
   */
  public TlsMaterial tlsMaterial() {
    if (tls == null) {
      throw new IllegalStateException(
          "SSL listener not enabled: build the cluster with builder().tlsListener(true)");
    }
    return tls;
  }

  /**
   * Ids of all brokers, running or stopped, in ascending order (0, 1, 2, …).
   *
   * @return broker ids
   */
  public Set<Integer> brokerIds() {
    return Collections.unmodifiableSet(new TreeSet<>(kit.brokers().keySet()));
  }

  /**
   * Ids of the brokers that are currently running.
   *
   * @return running broker ids in ascending order
   */
  public Set<Integer> runningBrokerIds() {
    Set<Integer> ids = new TreeSet<>(kit.brokers().keySet());
    ids.removeAll(stopped);
    return Collections.unmodifiableSet(ids);
  }

  /**
   * Wall-clock time {@link Builder#start()} took, from creating the directories until all brokers
   * were ready.
   *
   * @return the measured startup time
   */
  public Duration startupTime() {
    return startupTime;
  }

  /**
   * The temporary directory holding all broker and controller data; deleted by {@link #close()}.
   *
   * @return the base directory
   */
  public Path baseDirectory() {
    return baseDirectory;
  }

  /**
   * Minimal client configuration for the PLAINTEXT listeners: just {@code bootstrap.servers}. Copy
   * it into a mutable map and add serializers, group id, etc.
   *
   * @return an immutable map with {@code bootstrap.servers}
   */
  public Map<String, Object> clientConfig() {
    return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
  }

  /**
   * Client configuration for the SSL listeners: {@code bootstrap.servers}, {@code
   * security.protocol=SSL} and the truststore ({@code ssl.truststore.location}, {@code .password},
   * {@code .type}). {@code ssl.endpoint.identification.algorithm} is not set, so clients verify the
   * broker's host name (Kafka's default, {@code https}).
   *
   * @return an immutable client configuration map
   * @throws IllegalStateException if the cluster was built without TLS
   */
  public Map<String, Object> sslClientConfig() {
    Map<String, Object> c = new HashMap<>(tlsMaterial().clientTrustConfig());
    c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, sslBootstrapServers());
    c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SSL.name);
    return Map.copyOf(c);
  }

  /**
   * Client configuration for the SASL_SSL listeners: as {@link #saslClientConfig(String, String,
   * String)} over TLS, with the truststore of {@link #sslClientConfig()}.
   *
   * @param mechanism {@code SCRAM-SHA-512} or {@code PLAIN}
   * @param user user name
   * @param password password
   * @return an immutable client configuration map
   * @throws IllegalStateException unless the cluster was built with both SASL users and TLS
   */
  public Map<String, Object> saslSslClientConfig(String mechanism, String user, String password) {
    Map<String, Object> c = new HashMap<>(saslClientConfig(mechanism, user, password));
    c.putAll(tlsMaterial().clientTrustConfig());
    c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslSslBootstrapServers());
    c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SASL_SSL.name);
    return Map.copyOf(c);
  }

  /**
   * Client configuration for the SASL_PLAINTEXT listeners: {@code bootstrap.servers}, {@code
   * security.protocol}, {@code sasl.mechanism} and a {@code sasl.jaas.config} with the given
   * credentials (which need not be valid: use it to test rejection, too).
   *
   * @param mechanism {@code SCRAM-SHA-512} or {@code PLAIN}
   * @param user user name
   * @param password password
   * @return an immutable client configuration map
   * @throws IllegalStateException if the cluster was built without SASL users
   */
  public Map<String, Object> saslClientConfig(String mechanism, String user, String password) {
    return ClientConfigs.sasl(saslBootstrapServers(), mechanism, user, password);
  }

  /**
   * A shared {@link Admin} client on the PLAINTEXT listeners, created on first use. Calling {@code
   * close()} on it does nothing (so try-with-resources is harmless); the cluster closes it in
   * {@link #close()}.
   *
   * @return the shared admin client
   */
  public Admin admin() {
    Admin a = admin;
    if (a == null) {
      synchronized (this) {
        a = admin;
        if (a == null) {
          ensureOpen();
          Map<String, Object> config = new HashMap<>(clientConfig());
          config.put(CommonClientConfigs.CLIENT_ID_CONFIG, "embedded-kafka-admin");
          a = UncloseableAdmin.wrap(Admin.create(config));
          admin = a;
        }
      }
    }
    return a;
  }

  /**
   * Creates a topic and waits until every running broker knows all its partitions and every
   * partition has a leader and a full in-sync replica set (among the running brokers).
   *
   * @param name topic name
   * @param partitions number of partitions
   * @param replication replication factor (at most the number of running brokers)
   */
  public void createTopic(String name, int partitions, short replication) {
    createTopic(name, partitions, replication, Map.of());
  }

  /**
   * Creates a topic with topic-level configs (e.g. {@code cleanup.policy=compact}, {@code
   * min.insync.replicas}) and waits until it is ready on all running brokers, as {@link
   * #createTopic(String, int, short)} does.
   *
   * @param name topic name
   * @param partitions number of partitions
   * @param replication replication factor (at most the number of running brokers)
   * @param configs topic configs, may be empty
   */
  public void createTopic(
      String name, int partitions, short replication, Map<String, String> configs) {
    ensureOpen();
    NewTopic topic = new NewTopic(name, partitions, replication).configs(configs);
    try {
      admin()
          .createTopics(List.of(topic))
          .all()
          .get(WAIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("creating topic " + name + " failed: " + e.getCause(), e);
    } catch (Exception e) {
      throw propagate("creating topic " + name, e);
    }
    awaitCondition(
        "topic " + name + " with " + partitions + " partitions on all running brokers",
        () ->
            runningBrokers().stream()
                .allMatch(
                    b ->
                        b.metadataCache()
                            .numPartitions(name)
                            .filter(n -> n == partitions)
                            .isPresent()));
    awaitCondition(
        "topic " + name + " hosted by its leaders, with full ISR",
        () -> fullyReplicated(List.of(name)));
  }

  /**
   * Stops one broker with a controlled shutdown (leadership moves to the other replicas) and waits
   * until the remaining brokers see it gone. Its data stays on disk for {@link #startBroker(int)}.
   * The controller quorum is not affected, also when the broker shares its node with a controller.
   *
   * @param id broker id, see {@link #brokerIds()}
   */
  public void stopBroker(int id) {
    ensureOpen();
    BrokerServer broker = broker(id);
    if (!stopped.add(id)) {
      return;
    }
    long t0 = System.nanoTime();
    broker.shutdown();
    broker.awaitShutdown();
    awaitCondition(
        "brokers " + runningBrokerIds() + " see broker " + id + " gone",
        () -> runningBrokers().stream().noneMatch(b -> b.metadataCache().hasAliveBroker(id)));
    log.info("Stopped broker {} in {} ms", id, millisSince(t0));
  }

  /**
   * Restarts a broker stopped by {@link #stopBroker(int)} on the same ports and data directory, and
   * waits until it is registered and unfenced, every running broker sees it, and every partition is
   * fully replicated again (it has caught up and rejoined the ISR).
   *
   * @param id broker id, see {@link #brokerIds()}
   */
  public void startBroker(int id) {
    ensureOpen();
    BrokerServer broker = broker(id);
    if (!stopped.contains(id)) {
      return;
    }
    long t0 = System.nanoTime();
    broker.startup();
    stopped.remove(id);
    awaitCondition(
        "all running brokers see broker " + id,
        () -> runningBrokers().stream().allMatch(b -> b.metadataCache().hasAliveBroker(id)));
    awaitCondition(
        "all partitions fully replicated after restart of broker " + id,
        () -> {
          try {
            Set<String> topics = admin().listTopics(listInternal()).names().get();
            return fullyReplicated(topics);
          } catch (Exception e) {
            return false;
          }
        });
    log.info("Restarted broker {} in {} ms", id, millisSince(t0));
  }

  /**
   * Shuts down all brokers and controllers and deletes the temporary directories. Idempotent. Does
   * not throw: faults recorded by the brokers during the run are logged.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    long t0 = System.nanoTime();
    Admin a = admin;
    if (a != null) {
      try {
        UncloseableAdmin.unwrap(a).close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.warn("closing admin client failed", e);
      }
    }
    try {
      kit.close();
    } catch (Exception e) {
      log.warn("Kafka test kit reported a fault while shutting down: {}", e.toString());
    } finally {
      deleteRecursively(baseDirectory);
    }
    log.info("Embedded Kafka cluster closed in {} ms", millisSince(t0));
  }

  // ---------------------------------------------------------------------------------------------

  private List<BrokerServer> runningBrokers() {
    List<BrokerServer> result = new ArrayList<>();
    kit.brokers()
        .forEach(
            (id, b) -> {
              if (!stopped.contains(id)) {
                result.add(b);
              }
            });
    return result;
  }

  private BrokerServer broker(int id) {
    BrokerServer broker = kit.brokers().get(id);
    if (broker == null) {
      throw new IllegalArgumentException("no broker " + id + "; brokers are " + brokerIds());
    }
    return broker;
  }

  /**
   * True if every partition has a leader that hosts it already and every running replica is in the
   * ISR. The metadata names a leader before that broker hosts the partition: a producer writing
   * then gets NOT_LEADER for its first batch, and its idempotent retry is refused as out of order
   * behind the batches that followed.
   */
  private boolean fullyReplicated(Collection<String> topics) {
    if (topics.isEmpty()) {
      return true;
    }
    Set<Integer> running = runningBrokerIds();
    Map<String, TopicDescription> descriptions;
    try {
      descriptions =
          admin()
              .describeTopics(topics)
              .allTopicNames()
              .get(WAIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (Exception e) {
      return false;
    }
    for (TopicDescription d : descriptions.values()) {
      for (TopicPartitionInfo p : d.partitions()) {
        if (p.leader() == null
            || p.leader().isEmpty()
            || !running.contains(p.leader().id())
            || broker(p.leader().id())
                .replicaManager()
                .onlinePartition(new TopicPartition(d.name(), p.partition()))
                .isEmpty()) {
          return false;
        }
        Set<Integer> isr = p.isr().stream().map(Node::id).collect(Collectors.toSet());
        for (Node replica : p.replicas()) {
          if (running.contains(replica.id()) && !isr.contains(replica.id())) {
            return false;
          }
        }
      }
    }
    return true;
  }

  private static org.apache.kafka.clients.admin.ListTopicsOptions listInternal() {
    return new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("cluster is closed");
    }
  }

  private static void awaitCondition(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT_TIMEOUT.toNanos();
    long sleep = 5;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + WAIT_TIMEOUT + " waiting for " + what);
      }
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
      sleep = Math.min(100, sleep * 2);
    }
  }

  private static RuntimeException propagate(String what, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    if (e instanceof RuntimeException re) {
      return re;
    }
    return new IllegalStateException(what + " failed: " + e, e);
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  /** Kafka's own recursive delete: this kit runs on Kafka's server code anyway. */
  private static void deleteRecursively(Path dir) {
    try {
      org.apache.kafka.common.utils.Utils.delete(dir.toFile());
    } catch (IOException e) {
      log.warn("could not delete {}: {}", dir, e.toString());
    }
  }

  /**
   * Options for an {@link EmbeddedKafkaCluster}. Defaults: 1 broker, 1 controller sharing node 0
   * with broker 0 (combined mode), no SASL listener, no SSL listener.
   */
  public static final class Builder {
    private int brokers = 1;
    private int controllers = 1;
    private boolean combined = true;
    private final Map<String, Object> brokerProperties = new LinkedHashMap<>();
    private final Map<String, String> saslUsers = new LinkedHashMap<>();
    private boolean tls;
    private IntSupplier portSource = PortRetry::freePort;

    private Builder() {}

    private BrokerConfig brokerConfig() {
      return new BrokerConfig(brokers, tls, saslUsers, brokerProperties);
    }

    /**
     * Replaces the source of the SASL and SSL listener ports (by default a free port the operating
     * system picks); for tests of the retry on a port taken in the meantime.
     */
    Builder portSource(IntSupplier source) {
      this.portSource = source;
      return this;
    }

    /**
     * Number of brokers (ids 0 … n-1).
     *
     * @param brokers at least 1
     * @return this builder
     */
    public Builder brokers(int brokers) {
      if (brokers < 1) {
        throw new IllegalArgumentException("brokers must be >= 1");
      }
      this.brokers = brokers;
      return this;
    }

    /**
     * Number of KRaft controllers (voters). In combined mode they share nodes 0 … n-1 with the
     * brokers, so n must not exceed the broker count; in separate mode they get ids 3000 ….
     *
     * @param controllers at least 1; 1 is fastest, 3 tolerates a controller failure
     * @return this builder
     */
    public Builder controllers(int controllers) {
      if (controllers < 1) {
        throw new IllegalArgumentException("controllers must be >= 1");
      }
      this.controllers = controllers;
      return this;
    }

    /**
     * Combined mode ({@code process.roles=broker,controller} on the controller nodes, the default)
     * or separate controller nodes ({@code false}), as in a production KRaft deployment.
     *
     * @param combined true for combined broker+controller nodes
     * @return this builder
     */
    public Builder combinedController(boolean combined) {
      this.combined = combined;
      return this;
    }

    /**
     * Sets one broker (and controller) property, overriding the defaults, e.g. {@code
     * transaction.state.log.replication.factor} or {@code min.insync.replicas}.
     *
     * @param key Kafka server config name
     * @param value its value
     * @return this builder
     */
    public Builder brokerProperty(String key, Object value) {
      brokerProperties.put(key, String.valueOf(value));
      return this;
    }

    /**
     * Sets several broker properties; see {@link #brokerProperty(String, Object)}.
     *
     * @param properties Kafka server configs
     * @return this builder
     */
    public Builder brokerProperties(Map<String, ?> properties) {
      properties.forEach(this::brokerProperty);
      return this;
    }

    /**
     * Adds a SASL user and enables the SASL_PLAINTEXT listener on every broker. The user can log in
     * with SCRAM-SHA-512 and with PLAIN using this password.
     *
     * @param user user name
     * @param password password
     * @return this builder
     */
    public Builder saslUser(String user, String password) {
      saslUsers.put(user, password);
      return this;
    }

    /**
     * Adds several SASL users (user → password); see {@link #saslUser(String, String)}.
     *
     * @param users user names to passwords
     * @return this builder
     */
    public Builder saslUsers(Map<String, String> users) {
      users.forEach(this::saslUser);
      return this;
    }

    /**
     * Adds an SSL listener to every broker (and, with SASL users, a SASL_SSL listener). At start
     * the cluster generates a throwaway CA and a broker certificate for {@code localhost} and
     * {@code 127.0.0.1} with the JDK's {@code keytool} under its base directory ({@link
     * TlsMaterial}; a few seconds). Clients: {@link #sslClientConfig()}.
     *
     * @param enabled true for the SSL listener
     * @return this builder
     */
    public Builder tlsListener(boolean enabled) {
      this.tls = enabled;
      return this;
    }

    /**
     * Formats the storage, starts all nodes and waits until every broker is ready.
     *
     * @return the running cluster
     * @throws IllegalStateException if the cluster did not start
     */
    public EmbeddedKafkaCluster start() {
      if (combined && controllers > brokers) {
        throw new IllegalArgumentException(
            "combined mode needs controllers <= brokers, got " + controllers + " > " + brokers);
      }
      // The SASL and SSL ports are picked free and released before the broker binds them (the
      // test kit pre-binds only its own two listeners): each attempt picks new ones.
      return PortRetry.start("Embedded Kafka", this::startOnce);
    }

    private EmbeddedKafkaCluster startOnce() {
      long t0 = System.nanoTime();
      Path base;
      try {
        base = Files.createTempDirectory("embedded-kafka-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      KafkaClusterTestKit kit = null;
      BrokerConfig config = brokerConfig();
      try {
        TlsMaterial tlsMaterial = tls ? TlsMaterial.generate(base.resolve("tls")) : null;
        // listener name -> broker id -> port, for the listeners beyond PLAINTEXT
        Map<String, Map<Integer, Integer>> listenerPorts = new LinkedHashMap<>();
        for (String listener : config.extraListeners()) {
          listenerPorts.put(listener, new TreeMap<>());
        }
        Map<Integer, Map<String, String>> perNode = new HashMap<>();
        if (!listenerPorts.isEmpty()) {
          for (int id = 0; id < brokers; id++) {
            int brokerId = FIRST_BROKER_ID + id;
            StringBuilder listeners = new StringBuilder(PLAINTEXT_LISTENER + "://localhost:0");
            for (Map.Entry<String, Map<Integer, Integer>> l : listenerPorts.entrySet()) {
              int port = portSource.getAsInt();
              l.getValue().put(brokerId, port);
              listeners.append(',').append(l.getKey()).append("://localhost:").append(port);
            }
            if (combined && id < controllers) {
              listeners.append(',').append(CONTROLLER_LISTENER).append("://localhost:0");
            }
            perNode.put(brokerId, Map.of("listeners", listeners.toString()));
          }
        }
        TestKitNodes nodes =
            new TestKitNodes.Builder(config.bootstrapMetadata())
                .setBaseDirectory(base)
                .setCombined(combined)
                .setNumBrokerNodes(brokers)
                .setNumControllerNodes(controllers)
                .setPerServerProperties(perNode)
                .setBrokerListenerName(ListenerName.normalised(PLAINTEXT_LISTENER))
                .setBrokerSecurityProtocol(SecurityProtocol.PLAINTEXT)
                .setControllerListenerName(ListenerName.normalised(CONTROLLER_LISTENER))
                .setControllerSecurityProtocol(SecurityProtocol.PLAINTEXT)
                .build();
        if (!nodes.brokerNodes().firstKey().equals(FIRST_BROKER_ID)) {
          throw new IllegalStateException(
              "test kit numbers brokers from " + nodes.brokerNodes().firstKey());
        }
        KafkaClusterTestKit.Builder kb = new KafkaClusterTestKit.Builder(nodes);
        config.serverConfig(tlsMaterial).forEach(kb::setConfigProp);
        kit = kb.build();
        kit.format();
        kit.startup();
        kit.waitForReadyBrokers();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        EmbeddedKafkaCluster cluster =
            new EmbeddedKafkaCluster(kit, base, listenerPorts, tlsMaterial, took);
        log.info(
            "Embedded Kafka: {} broker(s), {} {} controller(s) up in {} ms at {}{}",
            brokers,
            controllers,
            combined ? "combined" : "separate",
            took.toMillis(),
            cluster.bootstrapServers(),
            listenerPorts.entrySet().stream()
                .map(l -> " " + l.getKey() + " " + bootstrap(l.getValue()))
                .collect(Collectors.joining()));
        return cluster;
      } catch (Exception e) {
        if (kit != null) {
          try {
            kit.close();
          } catch (Exception suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        deleteRecursively(base);
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("embedded Kafka cluster did not start: " + e, e);
      }
    }
  }
}
