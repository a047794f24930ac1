package dev.webshell.detector.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.webshell.detector.ops.DetectorMetrics;
import dev.webshell.detector.ops.RetryableFailures;
import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.detector.topology.DeadLetters;
import dev.webshell.detector.topology.DetectorClock;
import dev.webshell.detector.topology.StreamsSettings;
import dev.webshell.detector.topology.TopologyConfig;
import dev.webshell.detector.topology.WriteFailures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.WallclockTimestampExtractor;
import org.junit.jupiter.api.Test;

/**
 * The Kafka Streams properties {@code run} and {@code hunt} start their application with ({@link
 * DetectorStreams#properties}): which of the user's settings stand, which defaults fill the gaps,
 * and which settings the detector always imposes.
 */
class DetectorStreamsPropertiesTest {
  private static final String DLQ = "alerts.dead-letters";
  private final RetryableFailures failures = new RetryableFailures(null);

  @Test
  void shouldDisableTaskIdlingForOneInputTopicWhereEveryTaskReadsOnePartition() {
    Properties props = properties(Map.of(), oneTopic());

    assertEquals(-1L, props.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG));
  }

  @Test
  void shouldKeepKafkaStreamsTaskIdlingDefaultForSeveralTopicsOrAPatternWhereTasksReadSeveral() {
    Properties severalTopics = properties(Map.of(), topology(List.of("a", "b"), null));
    Properties pattern = properties(Map.of(), topology(List.of(), Pattern.compile("events-.*")));

    assertFalse(severalTopics.containsKey(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG));
    assertFalse(pattern.containsKey(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG));
  }

  @Test
  void shouldLeaveATaskIdlingTheUserSetAlone() {
    Properties props = properties(Map.of(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "250"), oneTopic());

    assertEquals("250", props.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG));
  }

  @Test
  void shouldCompressWhatTheProducerWritesWithLz4UnlessTheUserChoseACompression() {
    String prefixed = StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG);

    assertEquals("lz4", properties(Map.of(), oneTopic()).get(prefixed));
    Properties unprefixed =
        properties(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd"), oneTopic());
    assertEquals("zstd", unprefixed.get(ProducerConfig.COMPRESSION_TYPE_CONFIG));
    assertFalse(unprefixed.containsKey(prefixed)); // which would win over the user's choice
    assertEquals("none", properties(Map.of(prefixed, "none"), oneTopic()).get(prefixed));
  }

  @Test
  void shouldLetTheProducerAndTheInternalTopicsTakeTheLargestRecordTheRuleCapsAllow() {
    Properties props = properties(Map.of(), oneTopic());

    int max = StreamsSettings.MAX_RECORD_BYTES;
    assertEquals(
        max, props.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)));
    assertEquals(
        2L * max, props.get(StreamsConfig.producerPrefix(ProducerConfig.BUFFER_MEMORY_CONFIG)));
    assertEquals(String.valueOf(max), props.get(StreamsConfig.topicPrefix("max.message.bytes")));
  }

  @Test
  void shouldLeaveTheRecordSizesTheUserSetAlone() {
    String request = ProducerConfig.MAX_REQUEST_SIZE_CONFIG;
    String topic = StreamsConfig.topicPrefix("max.message.bytes");
    Properties props =
        properties(
            Map.of(
                request,
                "5000000",
                StreamsConfig.producerPrefix(ProducerConfig.BUFFER_MEMORY_CONFIG),
                "9000000",
                topic,
                "5000000"),
            oneTopic());

    assertEquals("5000000", props.get(request));
    assertFalse(props.containsKey(StreamsConfig.producerPrefix(request)));
    assertEquals(
        "9000000", props.get(StreamsConfig.producerPrefix(ProducerConfig.BUFFER_MEMORY_CONFIG)));
    assertEquals("5000000", props.get(topic));
  }

  @Test
  void shouldShortenTheRestoreConsumersFetchWaitUnlessTheUserSetAFetchWaitItWouldUse() {
    String setting = ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG;

    assertConsumerDefaultYieldsToTheUser(
        setting,
        StreamsConfig.restoreConsumerPrefix(setting),
        StreamsSettings.RESTORE_FETCH_MAX_WAIT_MS);
  }

  @Test
  void shouldGiveTheShortFetchWaitToTheRestoreConsumerOnlyAsKafkaStreamsResolvesIt() {
    StreamsConfig resolved = resolvedByKafkaStreams();
    String setting = ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG;

    assertEquals(
        StreamsSettings.RESTORE_FETCH_MAX_WAIT_MS,
        resolved.getRestoreConsumerConfigs("client").get(setting));
    assertFalse(resolved.getMainConsumerConfigs("group", "client", 0).containsKey(setting));
  }

  @Test
  void shouldHeartbeatEverySecondUnlessTheUserSetAnIntervalTheMainConsumerWouldUse() {
    String setting = ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG;

    assertConsumerDefaultYieldsToTheUser(
        setting, StreamsConfig.mainConsumerPrefix(setting), StreamsSettings.HEARTBEAT_INTERVAL_MS);
  }

  @Test
  void shouldGiveTheOneSecondHeartbeatToTheMainConsumerAsKafkaStreamsResolvesIt() {
    StreamsConfig resolved = resolvedByKafkaStreams();
    String setting = ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG;

    assertEquals(
        StreamsSettings.HEARTBEAT_INTERVAL_MS,
        resolved.getMainConsumerConfigs("group", "client", 0).get(setting));
  }

  @Test
  void shouldLeaveTheHeartbeatToTheBrokerUnderTheStreamsGroupProtocol() {
    String main = StreamsConfig.mainConsumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);

    for (String protocol : List.of("streams", "STREAMS")) {
      Properties props =
          properties(Map.of(StreamsConfig.GROUP_PROTOCOL_CONFIG, protocol), oneTopic());
      assertFalse(props.containsKey(main), protocol);
    }
    assertEquals(
        StreamsSettings.HEARTBEAT_INTERVAL_MS,
        properties(Map.of(StreamsConfig.GROUP_PROTOCOL_CONFIG, "Classic"), oneTopic()).get(main));
  }

  @Test
  void shouldGiveTheGlobalProcessingHandlerSettingToTheMainConsumerWhoseAssignorWarnsWithoutIt() {
    StreamsConfig resolved = resolvedByKafkaStreams();
    String setting = "processing.exception.handler.global.enabled";

    assertEquals(true, resolved.getBoolean(setting));
    assertEquals(true, resolved.getMainConsumerConfigs("group", "client", 0).get(setting));
  }

  @Test
  void shouldRunOneStreamThreadPerCpuUnlessTheUserSetACount() {
    assertEquals(
        StreamsSettings.defaultStreamThreads(),
        properties(Map.of(), oneTopic()).get(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
    assertEquals(
        "7",
        properties(Map.of(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "7"), oneTopic())
            .get(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
  }

  @Test
  void shouldPassTheUsersClientSettingsThrough() {
    Properties props =
        properties(
            Map.of(
                "bootstrap.servers",
                "127.0.0.1:9092",
                "security.protocol",
                "SASL_SSL",
                StreamsConfig.producerPrefix("linger.ms"),
                "20"),
            oneTopic());

    assertEquals("127.0.0.1:9092", props.get("bootstrap.servers"));
    assertEquals("SASL_SSL", props.get("security.protocol"));
    assertEquals("20", props.get(StreamsConfig.producerPrefix("linger.ms")));
  }

  @Test
  void shouldApplyTheSpecsDefaultsOnlyWhereTheUserSetNone() {
    Map<String, Object> defaults = Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);

    assertEquals(
        200,
        properties(spec(Map.of(), defaults, Map.of()), oneTopic())
            .get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
    assertEquals(
        "5000",
        properties(
                spec(Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "5000"), defaults, Map.of()),
                oneTopic())
            .get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
  }

  @Test
  void shouldApplyTheSpecsOverridesWhateverTheUserSet() {
    String reset = StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);

    Properties props =
        properties(spec(Map.of(reset, "latest"), Map.of(), Map.of(reset, "earliest")), oneTopic());

    assertEquals("earliest", props.get(reset));
  }

  @Test
  void shouldTakeIdentityStateAndGuaranteeFromTheSpecNotFromTheUsersClientSettings() {
    Properties props =
        properties(
            Map.of(
                StreamsConfig.APPLICATION_ID_CONFIG, "someone-else",
                StreamsConfig.STATE_DIR_CONFIG, "/elsewhere",
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once",
                StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "3"),
            oneTopic());

    assertEquals("detector", props.get(StreamsConfig.APPLICATION_ID_CONFIG));
    assertEquals(Path.of("/state").toString(), props.get(StreamsConfig.STATE_DIR_CONFIG));
    assertEquals("exactly_once_v2", props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    assertEquals(1, props.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
  }

  @Test
  void shouldImposeTheRequiredSettingsOverTheUsersAndTheSpecsOverrides() {
    Map<String, Object> user =
        Map.of(
            StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, "com.example.Extractor",
            StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "elsewhere",
            StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, "com.example.Handler");

    Properties props =
        properties(
            spec(
                user,
                Map.of(),
                Map.of(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, "x")),
            oneTopic());

    Properties required = StreamsSettings.required(DLQ, DetectorMetrics.NONE, failures);
    required.forEach((k, v) -> assertEquals(v, props.get(k), "required setting " + k));
    assertEquals(
        WallclockTimestampExtractor.class.getName(),
        props.get(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG));
    assertEquals(DLQ, props.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG));
  }

  @Test
  void shouldHandTheTopologysMetricsAndFailuresToTheExceptionHandlers() {
    DetectorMetrics metrics = new DetectorMetrics() {};

    Properties props =
        DetectorStreams.properties(
            spec(Map.of(), Map.of(), Map.of()), oneTopic(), metrics, failures);

    assertSame(metrics, props.get(DeadLetters.METRICS_CONFIG));
    assertSame(failures, props.get(WriteFailures.FAILURES_CONFIG));
  }

  /**
   * The detector puts {@code value} under {@code prefixed} (one consumer's own prefix) when the
   * user set nothing, and nothing when the user set {@code setting} plain or with the {@code
   * consumer.} prefix (Kafka Streams gives a consumer its own prefix first, then {@code consumer.},
   * then the plain setting: a default under the consumer's prefix would win over the user's
   * choice); a value the user set under {@code prefixed} stands.
   */
  private void assertConsumerDefaultYieldsToTheUser(String setting, String prefixed, int value) {
    assertEquals(value, properties(Map.of(), oneTopic()).get(prefixed));
    for (String users : List.of(setting, StreamsConfig.consumerPrefix(setting))) {
      Properties props = properties(Map.of(users, "2500"), oneTopic());
      assertEquals("2500", props.get(users));
      assertFalse(props.containsKey(prefixed), users);
    }
    assertEquals("1500", properties(Map.of(prefixed, "1500"), oneTopic()).get(prefixed));
  }

  /** The detector's properties for one topic as Kafka Streams reads them. */
  private StreamsConfig resolvedByKafkaStreams() {
    return new StreamsConfig(properties(Map.of("bootstrap.servers", "127.0.0.1:9092"), oneTopic()));
  }

  private Properties properties(Map<String, Object> user, TopologyConfig topology) {
    return properties(spec(user, Map.of(), Map.of()), topology);
  }

  private Properties properties(DetectorStreams.Spec spec, TopologyConfig topology) {
    return DetectorStreams.properties(spec, topology, DetectorMetrics.NONE, failures);
  }

  private static DetectorStreams.Spec spec(
      Map<String, Object> user, Map<String, Object> defaults, Map<String, Object> overrides) {
    return new DetectorStreams.Spec(
        user,
        "detector",
        Path.of("/state"),
        ProcessingGuarantee.EXACTLY_ONCE_V2,
        1,
        DLQ,
        defaults,
        overrides);
  }

  private static TopologyConfig oneTopic() {
    return topology(List.of("events"), null);
  }

  private static TopologyConfig topology(List<String> topics, Pattern pattern) {
    return new TopologyConfig(
        topics,
        pattern,
        "alerts",
        RuleFiles.builtIn("kql"),
        true,
        DetectorClock.live(Duration.ofMinutes(15)));
  }
}
