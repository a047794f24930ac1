package dev.webshell.detector.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.ops.DetectorMetrics;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertJson;
import dev.webshell.schema.WebShellAlert;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The production topology in a TopologyTestDriver, fed JSON (or, given an Avro decoder, Avro)
 * events, read back as JSON alerts.
 */
final class TopologyHarness implements AutoCloseable {
  final TopologyTestDriver driver;
  final TestInputTopic<byte[], byte[]> input;
  final TestOutputTopic<String, String> alerts;
  final TestOutputTopic<byte[], byte[]> deadLetters;

  TopologyHarness(RuleSpec rule, Path stateDir) {
    this(rule, stateDir, new InputDeserializer(InputFormat.AUTO, null));
  }

  TopologyHarness(RuleSpec rule, Path stateDir, InputDeserializer inputDeserializer) {
    this(rule, stateDir, inputDeserializer, FAR_FUTURE);
  }

  /**
   * A clock far beyond every test event: stream time follows the events alone, as it did before the
   * detector had a clock. Tests of the clock give their own.
   */
  static final DetectorClock FAR_FUTURE =
      DetectorClock.fixedAt(Instant.parse("9000-01-01T00:00:00Z"), Duration.ZERO);

  TopologyHarness(
      RuleSpec rule, Path stateDir, InputDeserializer inputDeserializer, DetectorClock clock) {
    this(rule, stateDir, inputDeserializer, clock, DetectorMetrics.NONE, null, null);
  }

  /**
   * Counting into {@code metrics}; a hunt's topology when {@code fromMicros} or {@code toMicros} is
   * set: events outside {@code [fromMicros, toMicros)} are ignored.
   */
  TopologyHarness(
      RuleSpec rule,
      Path stateDir,
      InputDeserializer inputDeserializer,
      DetectorClock clock,
      DetectorMetrics metrics,
      Long fromMicros,
      Long toMicros) {
    TopologyConfig config =
        new TopologyConfig(
            List.of("events"), null, "alerts", rule, true, fromMicros, toMicros, clock);
    DetectorSerdes serdes =
        new DetectorSerdes(
            inputDeserializer,
            Serdes.serdeFrom(AlertJson.<WebShellAlert>serializer(), (t, b) -> null));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "detector-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "test.invalid:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.putAll(StreamsSettings.required("dead-letters", metrics));
    driver =
        new TopologyTestDriver(
            DetectorTopology.build(config, serdes, metrics), props, Instant.EPOCH);
    input = driver.createInputTopic("events", new ByteArraySerializer(), new ByteArraySerializer());
    alerts = driver.createOutputTopic("alerts", new StringDeserializer(), new StringDeserializer());
    deadLetters =
        driver.createOutputTopic(
            "dead-letters", new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Pipes one event and returns the revisions it produced. */
  List<JsonNode> send(Ev e) {
    return send(e.json());
  }

  List<JsonNode> send(String json) {
    return sendBytes(json.getBytes(StandardCharsets.UTF_8));
  }

  List<JsonNode> sendBytes(byte[] value) {
    input.pipeInput(new TestRecord<>(null, value));
    return drain();
  }

  /**
   * Pipes the values as the detector's consumer would hand them to Kafka Streams: polled in runs of
   * 1 to {@code maxPoll} records, each poll folded by {@code folder}. Returns the revisions and how
   * many records reached the topology.
   */
  Folded sendFolded(List<byte[]> values, QuietRunFolder folder, Random random, int maxPoll) {
    List<JsonNode> out = new ArrayList<>();
    int piped = 0;
    long offset = 0;
    for (int i = 0; i < values.size(); ) {
      int n = Math.min(values.size() - i, 1 + random.nextInt(maxPoll));
      List<ConsumerRecord<byte[], byte[]>> poll = new ArrayList<>();
      for (byte[] v : values.subList(i, i + n)) {
        poll.add(new ConsumerRecord<>("events", 0, offset++, null, v));
      }
      i += n;
      for (ConsumerRecord<byte[], byte[]> r : folder.fold(poll)) {
        input.pipeInput(new TestRecord<>(r.key(), r.value(), r.headers()));
        piped++;
      }
      out.addAll(drain());
    }
    return new Folded(out, piped);
  }

  record Folded(List<JsonNode> revisions, int piped) {}

  /**
   * The end of the input: the sources' last progress reaches the windows (their wall-clock tick),
   * and every window that has emptied closes. Returns the revisions that produced.
   */
  List<JsonNode> flush() {
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    return drain();
  }

  List<JsonNode> drain() {
    List<JsonNode> out = new ArrayList<>();
    while (!alerts.isEmpty()) {
      try {
        out.add(Ev.JSON.readTree(alerts.readValue()));
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  @Override
  public void close() {
    driver.close();
  }
}
