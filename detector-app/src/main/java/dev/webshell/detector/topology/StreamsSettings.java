package dev.webshell.detector.topology;

import dev.webshell.detector.ops.DetectorMetrics;
import dev.webshell.detector.ops.RetryableFailures;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.GroupProtocol;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.WallclockTimestampExtractor;

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
   * {@code max.task.idle.ms} = -1 (no idling) when the input is one topic (not a pattern), to be
   * put where the user set none; otherwise nothing. Every task then reads one partition (one input
   * partition, or one of the repartition topic), and for such a task Kafka Streams' default (0) and
   * -1 pick the same record at every step: with 0, a task whose only partition has nothing buffered
   * is not processable; with -1 it is, and finds no record. Only the bookkeeping differs: with 0
   * Kafka Streams builds a set of the task's partitions before every record (about 2 % of the
   * stream threads' CPU samples in a bench profile). With several input topics a task reads one
   * partition of each, and the default, which waits for all of them to have data before choosing
   * the next record by timestamp, is kept.
   */
  public static Map<String, Object> taskIdleDefault(
      List<String> inputTopics, Pattern inputPattern) {
    return inputPattern == null && inputTopics != null && inputTopics.size() == 1
        ? Map.of(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED)
        : Map.of();
  }

  /**
   * {@code producer.compression.type=lz4}, to be put where the user set no compression for the
   * producer (neither {@code compression.type} nor {@code producer.compression.type}); otherwise
   * nothing. The detector's producers write its repartition topics, its stores' changelogs and its
   * alerts; uncompressed, a Windows input sends about a fifth of its records through them again
   * (the process trees' repartition topic and waiting children), and the broker's work for those
   * bytes took CPU from the detector on a shared machine: with lz4 the bench's Sysmon ratio rose
   * from 0.115 to 0.133 and the broker's CPU per event fell from 4.25 to 3.07 µs, run in turn
   * (docs/performance.md).
   */
  public static Map<String, Object> producerCompressionDefault(Map<?, ?> userSettings) {
    return producerDefault(userSettings, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
  }

  /**
   * {@code producer.<setting>} = {@code value} where the user set {@code setting} neither plain nor
   * with the producer prefix (either of which Kafka Streams gives the producer, the prefixed one
   * first, so a default under the prefix would win over the user's plain choice); otherwise
   * nothing.
   */
  private static Map<String, Object> producerDefault(
      Map<?, ?> userSettings, String setting, Object value) {
    String prefixed = StreamsConfig.producerPrefix(setting);
    return userSettings.containsKey(setting) || userSettings.containsKey(prefixed)
        ? Map.of()
        : Map.of(prefixed, value);
  }

  /**
   * The largest record the detector is set up to write, in bytes (32 MiB). Kafka's defaults take 1
   * MB (the producer's {@code max.request.size}, a topic's {@code max.message.bytes}), and the
   * detector's records are bounded by the rule's caps, not by that: an alert lists up to 128
   * command lines of up to 32,768 characters, each again in its evidence (8.4 MB when they are
   * ASCII), and a device's window state in its changelog holds every line it tracks. Sixteen
   * distinct PowerShell {@code -EncodedCommand}s of 30 KB make an alert over 1 MB; a record the
   * producer refuses is retried, never skipped, so under Kafka's defaults that device's partition
   * would stall, holding back every other device's alerts on it.
   */
  public static final int MAX_RECORD_BYTES = 32 << 20;

  /** The topic setting that lets a topic hold records of up to {@link #MAX_RECORD_BYTES}. */
  public static Map<String, String> largeRecordsTopicConfig() {
    return Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_RECORD_BYTES));
  }

  /**
   * Records of up to {@link #MAX_RECORD_BYTES}: the producer's {@code max.request.size} (and a
   * {@code buffer.memory} of twice that, since a record larger than the buffer is refused; taken
   * only as records need it), and the internal topics' {@code max.message.bytes} (applied when
   * Kafka Streams creates its changelogs and repartition topics), each where the user set none,
   * plain or prefixed; otherwise nothing for that setting.
   */
  public static Map<String, Object> largeRecordDefaults(Map<?, ?> userSettings) {
    Map<String, Object> out = new HashMap<>();
    out.putAll(
        producerDefault(userSettings, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES));
    out.putAll(
        producerDefault(userSettings, ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * MAX_RECORD_BYTES));
    String topic = StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
    if (!userSettings.containsKey(topic)) {
      out.put(topic, String.valueOf(MAX_RECORD_BYTES));
    }
    return out;
  }

  /** The restore consumer's fetch wait the detector sets where the user set none. */
  public static final int RESTORE_FETCH_MAX_WAIT_MS = 100;

  /**
   * {@code restore.consumer.fetch.max.wait.ms} = {@value #RESTORE_FETCH_MAX_WAIT_MS}, to be put
   * where the user set no fetch wait for the restore consumer ({@code fetch.max.wait.ms}, {@code
   * consumer.fetch.max.wait.ms} or {@code restore.consumer.fetch.max.wait.ms}); otherwise nothing.
   *
   * <p>At every start and rebalance Kafka Streams hands each task's changelogs to a restore
   * consumer as the task is initialised, one task after another. A partition new to that consumer
   * needs a metadata request and then a list-offsets request, on the consumer's one connection to
   * the broker, and a broker answers a connection's requests in order: both wait behind the fetch
   * of the changelogs already assigned, which the broker holds for up to {@code fetch.max.wait.ms}
   * (Kafka's default 500) while they are empty, as a new detector's are and an idle standby's stay.
   * A task does not process until restored, and its stream thread meanwhile spins in Kafka Streams'
   * state updater check. Measured in {@code bin/detector bench} (docs/performance.md): restoring a
   * new detector's 20 changelogs took 1.15 s (median of ten detectors) with Kafka's default, 0.43 s
   * with 100 ms and 0.43 s with 20 ms, the restore consumer's own poll of 100 ms ({@code poll.ms})
   * being the floor. A fetch that finds records returns at once either way; the cost is an idle
   * standby's fetches, about ten a second per stream thread instead of two.
   */
  public static Map<String, Object> restoreFetchWaitDefault(Map<?, ?> userSettings) {
    String setting = ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG;
    return consumerDefault(
        userSettings,
        setting,
        StreamsConfig.restoreConsumerPrefix(setting),
        RESTORE_FETCH_MAX_WAIT_MS);
  }

  /**
   * {@code prefixed} = {@code value} where the user set {@code setting} neither plain, nor with the
   * {@code consumer.} prefix, nor as {@code prefixed} (the one consumer's own prefix); otherwise
   * nothing. Kafka Streams gives a consumer its own prefix first, then {@code consumer.}, then the
   * plain setting, so a default under the consumer's own prefix would win over the user's choice.
   */
  private static Map<String, Object> consumerDefault(
      Map<?, ?> userSettings, String setting, String prefixed, Object value) {
    return userSettings.containsKey(setting)
            || userSettings.containsKey(StreamsConfig.consumerPrefix(setting))
            || userSettings.containsKey(prefixed)
        ? Map.of()
        : Map.of(prefixed, value);
  }

  /** The main consumer's heartbeat interval the detector sets where the user set none. */
  public static final int HEARTBEAT_INTERVAL_MS = 1000;

  /**
   * {@code main.consumer.heartbeat.interval.ms} = {@value #HEARTBEAT_INTERVAL_MS}, to be put where
   * the user set no heartbeat interval the main consumer would use ({@code heartbeat.interval.ms},
   * {@code consumer.heartbeat.interval.ms} or {@code main.consumer.heartbeat.interval.ms}) and the
   * group protocol is Kafka's classic one; otherwise nothing.
   *
   * <p>Under the classic protocol a stream thread learns that its group is rebalancing only from
   * the answer to its next heartbeat, which Kafka sends every 3 s by default; until every member
   * has joined again, the new assignment waits, and so do the tasks it moves. That happens at a new
   * detector's first start (the first assignment creates the repartition topics, and the leader
   * asks for a second rebalance at once), at every scale-out, restart and failover. Measured in
   * {@code bin/detector bench} (docs/performance.md): at each new detector's start one stream
   * thread processed alone for up to 2.1 s with Kafka's default, at most 0.38 s with 1 s. Kafka's
   * documentation of the setting suggests lowering it "to control the expected time for normal
   * rebalances"; the cost is one heartbeat request a second per stream thread instead of one every
   * three. Under {@code group.protocol=streams} the broker sets the interval ({@code
   * group.streams.heartbeat.interval.ms}).
   */
  public static Map<String, Object> heartbeatDefault(Map<?, ?> userSettings) {
    String setting = ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG;
    Object protocol = userSettings.get(StreamsConfig.GROUP_PROTOCOL_CONFIG);
    boolean classic =
        protocol == null
            || GroupProtocol.CLASSIC.name().equalsIgnoreCase(protocol.toString().trim());
    return classic
        ? consumerDefault(
            userSettings, setting, StreamsConfig.mainConsumerPrefix(setting), HEARTBEAT_INTERVAL_MS)
        : Map.of();
  }

  /**
   * Kafka Streams 4.3's own constant for this key is deprecated (the setting goes with 5.0), and
   * the build treats warnings as errors.
   */
  private static final String GLOBAL_PROCESSING_HANDLER =
      "processing.exception.handler.global.enabled";

  /** As {@link #required(String, DetectorMetrics, RetryableFailures)}, for offline runs. */
  public static Properties required(String deadLetterTopic, DetectorMetrics metrics) {
    return required(deadLetterTopic, metrics, new RetryableFailures(null));
  }

  /**
   * Exception handlers, the dead-letter topic and the record-timestamp source; merged over the
   * user's settings.
   *
   * <p>Every source reads the wall clock as the record's timestamp. The detector's own time is the
   * event's {@code Timestamp}, carried in the payload; Kafka Streams copies a record's timestamp to
   * everything written while processing it (changelogs, repartition), and a broker refuses
   * timestamps too far from its own clock ({@code log.message.timestamp.before.max.ms} and {@code
   * after.max.ms}) — which input record timestamps, set by whoever produced them, may well be.
   */
  public static Properties required(
      String deadLetterTopic, DetectorMetrics metrics, RetryableFailures failures) {
    Properties p = new Properties();
    p.put(
        StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG,
        WallclockTimestampExtractor.class.getName());
    p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, deadLetterTopic);
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetters.OnDeserialization.class.getName());
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetters.OnProcessing.class.getName());
    p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, WriteFailures.class.getName());
    p.put(WriteFailures.FAILURES_CONFIG, failures);
    // Recommended by Kafka Streams 4.3 (the default from 5.0); no global tables here either way.
    p.put(GLOBAL_PROCESSING_HANDLER, true);
    // Kafka Streams 4.3 also reads its settings from each main consumer's configuration (its
    // partition assignor builds a StreamsConfig of them) and warns there that the setting is off
    // unless the main consumer is given it too: once per stream thread at every start.
    p.put(StreamsConfig.mainConsumerPrefix(GLOBAL_PROCESSING_HANDLER), true);
    p.put(DeadLetters.METRICS_CONFIG, metrics);
    return p;
  }
}
