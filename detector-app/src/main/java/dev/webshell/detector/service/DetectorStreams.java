package dev.webshell.detector.service;

import dev.webshell.detector.event.AvroEventDecoder;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.QuietRuns;
import dev.webshell.detector.ops.DetectorMetrics;
import dev.webshell.detector.ops.RetryableFailures;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.serde.AlertSerializers;
import dev.webshell.detector.topology.DetectorSerdes;
import dev.webshell.detector.topology.DetectorTopology;
import dev.webshell.detector.topology.QuietRunFolder;
import dev.webshell.detector.topology.StreamsSettings;
import dev.webshell.detector.topology.TopologyConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * The one place where the detector's Kafka Streams application is put together — its serdes, its
 * topology, its properties and its exception handling — for {@code run} and {@code hunt} alike;
 * {@code scan} takes its serdes and required settings from here too.
 */
public final class DetectorStreams {
  private DetectorStreams() {}

  /**
   * What differs between a run and a hunt.
   *
   * @param defaults settings applied where the user set none (e.g. a hunt's short commit interval)
   * @param overrides settings applied whatever the user set (e.g. a hunt's offset reset)
   */
  public record Spec(
      Map<String, Object> clientConfig,
      String applicationId,
      Path stateDir,
      ProcessingGuarantee guarantee,
      int standbyReplicas,
      String deadLetterTopic,
      Map<String, Object> defaults,
      Map<String, Object> overrides) {
    public Spec {
      Objects.requireNonNull(clientConfig, "clientConfig");
      Objects.requireNonNull(applicationId, "applicationId");
      Objects.requireNonNull(stateDir, "stateDir");
      Objects.requireNonNull(guarantee, "guarantee");
      Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
      defaults = Map.copyOf(defaults);
      overrides = Map.copyOf(overrides);
    }
  }

  /**
   * The topology's serdes: input in {@code inputFormat} (Avro through {@code registry}; Avro and
   * JSON decoding strings only for events that can match {@code rule}, or from Windows inputs
   * matter to a process tree), alerts in {@code alertFormat}.
   */
  public static DetectorSerdes serdes(
      InputFormat inputFormat,
      AlertFormat alertFormat,
      SchemaRegistryClient registry,
      RuleSpec rule) {
    Rule screen = new Rule(rule);
    QuietRuns quiet = QuietRuns.withRandomSecret();
    InputDeserializer input =
        new InputDeserializer(
            inputFormat,
            registry == null ? null : new AvroEventDecoder(registry, screen::mayBeShell),
            screen,
            quiet);
    return new DetectorSerdes(input, AlertSerializers.outputSerde(alertFormat, registry), quiet);
  }

  /**
   * The repartition topic Kafka Streams creates for the application {@code applicationId}: matches
   * keyed by device, and the sources' progress, on their way to the device windows.
   */
  public static String repartitionTopic(String applicationId) {
    return applicationId + "-" + TopologyConfig.REPARTITION + "-repartition";
  }

  /**
   * The repartition topic of Windows process creations keyed by host, on their way to the process
   * trees (whose matches go to the device windows without another topic).
   */
  public static String treeRepartitionTopic(String applicationId) {
    return applicationId + "-" + TopologyConfig.TREE_REPARTITION + "-repartition";
  }

  /** The changelog of the device windows' store, whose records grow with a device's lines. */
  public static String windowChangelogTopic(String applicationId) {
    return applicationId + "-" + TopologyConfig.WINDOW_STORE + "-changelog";
  }

  /** Both repartition topics: a run has caught up once its group has read them to their ends. */
  public static List<String> repartitionTopics(String applicationId) {
    return List.of(repartitionTopic(applicationId), treeRepartitionTopic(applicationId));
  }

  /** The Kafka Streams properties of an application built from {@code topology}. */
  public static Properties properties(
      Spec spec, TopologyConfig topology, DetectorMetrics metrics, RetryableFailures failures) {
    Properties props = new Properties();
    props.putAll(spec.clientConfig());
    spec.defaults().forEach(props::putIfAbsent);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, spec.applicationId());
    props.put(StreamsConfig.STATE_DIR_CONFIG, spec.stateDir().toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, spec.guarantee().config());
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, spec.standbyReplicas());
    props.putIfAbsent(
        StreamsConfig.NUM_STREAM_THREADS_CONFIG, StreamsSettings.defaultStreamThreads());
    StreamsSettings.taskIdleDefault(topology.inputTopics(), topology.inputPattern())
        .forEach(props::putIfAbsent);
    StreamsSettings.producerCompressionDefault(props).forEach(props::putIfAbsent);
    StreamsSettings.restoreFetchWaitDefault(props).forEach(props::putIfAbsent);
    StreamsSettings.heartbeatDefault(props).forEach(props::putIfAbsent);
    StreamsSettings.largeRecordDefaults(props).forEach(props::putIfAbsent);
    props.putAll(spec.overrides());
    props.putAll(StreamsSettings.required(spec.deadLetterTopic(), metrics, failures));
    return props;
  }

  /**
   * Builds the application: a failure that is not the record's fault ({@link RetryableFailures})
   * replaces the stream thread after a pause, so its tasks read the record again; anything else is
   * fatal and handed to {@code onFatal}, and the client shuts down.
   */
  public static KafkaStreams create(
      TopologyConfig config,
      DetectorSerdes serdes,
      Spec spec,
      DetectorMetrics metrics,
      RetryableFailures failures,
      Consumer<Throwable> onFatal) {
    Topology topology = DetectorTopology.build(config, serdes, metrics);
    Properties props = properties(spec, config, metrics, failures);
    KafkaStreams streams =
        serdes.quietRuns() == null
            ? new KafkaStreams(topology, props)
            : new KafkaStreams(topology, props, quietRunClients(config, serdes, spec));
    streams.setUncaughtExceptionHandler(
        e -> {
          if (failures.isRetryable(e)) {
            pause(failures.nextDelay());
            return StreamThreadExceptionResponse.REPLACE_THREAD;
          }
          onFatal.accept(e);
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    return streams;
  }

  /** Clients whose main consumer folds runs of quiet input records ({@link QuietRunConsumer}). */
  private static KafkaClientSupplier quietRunClients(
      TopologyConfig config, DetectorSerdes serdes, Spec spec) {
    String internal = spec.applicationId() + "-";
    Predicate<String> isInput =
        config.inputPattern() != null
            ? t -> !t.startsWith(internal) && config.inputPattern().matcher(t).matches()
            : Set.copyOf(config.inputTopics())::contains;
    return new QuietRunClientSupplier(
        isInput, new QuietRunFolder(serdes.input(), new Rule(config.rule()), serdes.quietRuns()));
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
