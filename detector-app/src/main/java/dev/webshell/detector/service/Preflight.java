package dev.webshell.detector.service;

import dev.webshell.detector.ops.RootCause;
import dev.webshell.detector.ops.logging.Logging;
import dev.webshell.detector.topology.StreamsSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Checks before the detector starts, each failing with one clear line: the brokers answer, the
 * input topics exist, the output and dead-letter topics exist (or are created on request), and,
 * under exactly-once, the cluster grants a transaction.
 */
public final class Preflight implements AutoCloseable {
  private static final int TIMEOUT_SECONDS = 15;
  static final String CLIENT_ID = "web-shell-detector-preflight";
  static final String TRANSACTIONS_CLIENT_ID = CLIENT_ID + "-transactions";
  private final Admin admin;
  private final String bootstrap;
  private final AutoCloseable kafkaLogsOff;
  private final Map<String, Object> clientConfig;

  public Preflight(Map<String, Object> clientConfig) {
    Map<String, Object> c = new HashMap<>(clientConfig);
    c.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    c.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000);
    c.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, CLIENT_ID);
    // Whether Kafka answers and accepts the credentials is reported in one line of ours; the
    // client's own lines (an ERROR per authentication attempt, a WARN per refused connection) would
    // repeat it first. Nothing else of Kafka's runs yet, so its loggers are off until the brokers
    // have answered (checkBrokers) or the client is closed.
    this.kafkaLogsOff = Logging.off("org.apache.kafka");
    this.bootstrap = String.valueOf(c.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    this.clientConfig = Map.copyOf(clientConfig);
    Map<String, Object> adminConfig = new HashMap<>();
    Set<String> known = AdminClientConfig.configNames();
    c.forEach(
        (k, v) -> {
          if (known.contains(k) || k.startsWith("config.providers")) {
            adminConfig.put(k, v);
          }
        });
    try {
      this.admin = Admin.create(adminConfig);
    } catch (KafkaException e) {
      closeQuietly(kafkaLogsOff);
      throw new StartupException("cannot use Kafka at " + bootstrap + ": " + RootCause.message(e));
    }
  }

  public Admin admin() {
    return admin;
  }

  /** The brokers answer (and accept our credentials). */
  public String checkBrokers() {
    try {
      String clusterId = admin.describeCluster().clusterId().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      closeQuietly(kafkaLogsOff); // they answer: Kafka's warnings from now on are worth seeing
      return clusterId;
    } catch (ExecutionException e) {
      throw brokerError(e.getCause());
    } catch (TimeoutException e) {
      throw new StartupException(
          "cannot reach Kafka at " + bootstrap + " within " + TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException("interrupted while contacting Kafka");
    }
  }

  private StartupException brokerError(Throwable cause) {
    if (cause instanceof SslAuthenticationException) {
      return new StartupException(
          "TLS handshake with Kafka at " + bootstrap + " failed: " + RootCause.message(cause));
    }
    if (cause instanceof AuthenticationException) {
      return new StartupException(
          "Kafka at " + bootstrap + " refused authentication: " + RootCause.message(cause));
    }
    if (cause instanceof AuthorizationException) {
      return new StartupException(
          "not authorized by Kafka at " + bootstrap + ": " + RootCause.message(cause));
    }
    if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
      return new StartupException(
          "cannot reach Kafka at " + bootstrap + " within " + TIMEOUT_SECONDS + " s");
    }
    return new StartupException("Kafka at " + bootstrap + ": " + RootCause.message(cause));
  }

  /**
   * The cluster grants this client a transaction (exactly_once_v2 needs one per stream thread): a
   * producer with the transactional id {@code <applicationId>-preflight} (within the {@code
   * <applicationId>} prefix that the ACLs grant Kafka Streams) initialises one and closes. A
   * refusal — TransactionalId not authorised, or a cluster without transactions such as Event Hubs
   * below the Premium tier — fails with one line that names the way out; a slow answer is left to
   * Kafka Streams, which waits for the transaction coordinator itself.
   */
  public void checkTransactions(String applicationId) {
    String transactionalId = applicationId + "-preflight";
    Map<String, Object> c = new HashMap<>();
    Set<String> known = ProducerConfig.configNames();
    clientConfig.forEach(
        (k, v) -> {
          if (known.contains(k) || k.startsWith("config.providers")) {
            c.put(k, v);
          }
        });
    c.put(ProducerConfig.CLIENT_ID_CONFIG, TRANSACTIONS_CLIENT_ID);
    c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, TIMEOUT_SECONDS * 1000);
    c.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    // a refusal is reported in one line of ours; the producer's own ERROR lines would come first
    AutoCloseable quiet = Logging.off("org.apache.kafka");
    KafkaProducer<byte[], byte[]> producer = null;
    try {
      try {
        producer = new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer());
      } catch (KafkaException e) {
        throw new StartupException(
            "cannot use Kafka at " + bootstrap + ": " + RootCause.message(e));
      }
      producer.initTransactions();
    } catch (TransactionalIdAuthorizationException | ClusterAuthorizationException e) {
      throw transactionsRefused(
          "it does not authorise transactional id '"
              + transactionalId
              + "': "
              + RootCause.message(e));
    } catch (UnsupportedVersionException e) {
      throw transactionsRefused("it does not support transactions: " + RootCause.message(e));
    } catch (AuthenticationException e) {
      throw brokerError(e);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      // the transaction coordinator is slow to answer (a cluster just started): not a refusal
    } catch (KafkaException e) {
      if (e.getCause() instanceof TransactionalIdAuthorizationException
          || e.getCause() instanceof UnsupportedVersionException) {
        throw transactionsRefused(RootCause.message(e));
      }
      throw new StartupException(
          "Kafka at " + bootstrap + " could not start a transaction: " + RootCause.message(e));
    } finally {
      if (producer != null) {
        producer.close(java.time.Duration.ofSeconds(5));
      }
      try {
        quiet.close();
      } catch (Exception e) {
        // the loggers' levels are restored in memory: nothing can fail here
      }
    }
  }

  private StartupException transactionsRefused(String why) {
    return new StartupException(
        "Kafka at "
            + bootstrap
            + " refuses transactions, which --processing-guarantee exactly_once_v2 needs ("
            + why
            + "): grant TransactionalId WRITE on the application id prefix, or run with"
            + " --processing-guarantee at_least_once");
  }

  /** Every input topic exists (named when missing); for a pattern, says how many match. */
  public List<String> checkInputs(List<String> topics, Pattern pattern) {
    if (pattern != null) {
      Set<String> all = topicNames();
      List<String> matching = new ArrayList<>();
      for (String t : all) {
        if (pattern.matcher(t).matches()) {
          matching.add(t);
        }
      }
      return matching;
    }
    List<String> missing = missing(topics);
    if (!missing.isEmpty()) {
      throw new StartupException(
          (missing.size() == 1 ? "input topic '" : "input topics '")
              + String.join("', '", missing)
              + (missing.size() == 1 ? "' does not exist" : "' do not exist")
              + " on "
              + bootstrap);
    }
    return topics;
  }

  /** Output and dead-letter topics exist, or are created when {@code create}. */
  public List<String> checkOutputs(
      List<String> topics, boolean create, int partitions, short replication) {
    List<String> missing = missing(topics);
    if (missing.isEmpty()) {
      return List.of();
    }
    if (!create) {
      throw new StartupException(
          "topic '"
              + missing.get(0)
              + "' does not exist on "
              + bootstrap
              + ": create it, or pass --create-topics");
    }
    List<NewTopic> newTopics = new ArrayList<>();
    for (String t : missing) {
      newTopics.add(
          new NewTopic(
                  t,
                  Optional.of(partitions),
                  replication < 1 ? Optional.empty() : Optional.of(replication))
              .configs(StreamsSettings.largeRecordsTopicConfig()));
    }
    try {
      admin.createTopics(newTopics).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new StartupException(
            "cannot create topic(s) " + missing + ": " + RootCause.message(e.getCause()));
      }
    } catch (TimeoutException e) {
      throw new StartupException("timed out creating topic(s) " + missing);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException("interrupted while creating topics");
    }
    return missing;
  }

  /**
   * The topics among {@code topics} whose {@code max.message.bytes} is below {@link
   * StreamsSettings#MAX_RECORD_BYTES}, each with its value ({@code "alerts (1048588)"}): a record
   * larger than that, which the rule's caps allow, would be refused and retried, stalling its
   * partition. A topic that does not exist, or whose configuration cannot be read (an ACL), is left
   * out: the check only warns.
   */
  public List<String> smallRecordLimits(List<String> topics) {
    var futures =
        admin
            .describeConfigs(
                topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList())
            .values();
    List<String> small = new ArrayList<>();
    for (var f : futures.entrySet()) {
      ConfigEntry e;
      try {
        e =
            f.getValue()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
      } catch (ExecutionException | TimeoutException ex) {
        continue;
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        break;
      }
      if (e != null
          && e.value() != null
          && Long.parseLong(e.value()) < StreamsSettings.MAX_RECORD_BYTES) {
        small.add(f.getKey().name() + " (" + e.value() + ")");
      }
    }
    small.sort(null);
    return small;
  }

  /**
   * The start-up warning for {@link #smallRecordLimits}, or empty when every topic can take the
   * largest record: which topics, what they must hold ({@code holding}) and what a record they
   * refuse would do ({@code consequence}).
   */
  public Optional<String> smallRecordLimitsWarning(
      List<String> topics, String holding, String consequence) {
    List<String> small = smallRecordLimits(topics);
    return small.isEmpty()
        ? Optional.empty()
        : Optional.of(
            "max.message.bytes of "
                + String.join(", ", small)
                + " is below the "
                + StreamsSettings.MAX_RECORD_BYTES
                + " bytes "
                + holding
                + " can take: "
                + consequence
                + "; raise it (docs/operations.md, Large records)");
  }

  private List<String> missing(List<String> topics) {
    List<String> missing = new ArrayList<>();
    var futures = admin.describeTopics(topics).topicNameValues();
    for (String t : topics) {
      try {
        futures.get(t).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          missing.add(t);
        } else {
          throw brokerError(e.getCause());
        }
      } catch (TimeoutException e) {
        throw new StartupException("timed out describing topic '" + t + "' on " + bootstrap);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StartupException("interrupted while describing topics");
      }
    }
    return missing;
  }

  private Set<String> topicNames() {
    try {
      return admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw brokerError(e.getCause());
    } catch (TimeoutException e) {
      throw new StartupException("timed out listing topics on " + bootstrap);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException("interrupted while listing topics");
    }
  }

  @Override
  public void close() {
    try {
      admin.close(java.time.Duration.ofSeconds(5));
    } finally {
      closeQuietly(kafkaLogsOff);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // restoring a log level does not fail
    }
  }
}
