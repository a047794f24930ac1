package dev.webshell.detector.offline;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.ops.DetectorMetrics;
import dev.webshell.detector.ops.Directories;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.service.DetectorStreams;
import dev.webshell.detector.topology.DeadLetters;
import dev.webshell.detector.topology.DetectorClock;
import dev.webshell.detector.topology.DetectorSerdes;
import dev.webshell.detector.topology.DetectorTopology;
import dev.webshell.detector.topology.StreamsSettings;
import dev.webshell.detector.topology.TopologyConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Runs the production topology in-process, without a broker, over lines of JSON (one event, or one
 * Streaming API envelope, per line), in file order. Every alert revision goes to {@code alerts} as
 * one JSON line; every unreadable line to {@code problems} with its line number.
 */
public final class Scanner implements AutoCloseable {
  static final String INPUT = "scan-input";
  static final String OUTPUT = "scan-alerts";
  static final String DEAD_LETTERS = "scan-dead-letters";
  static final String LINE_HEADER = "detector.scan.line";

  private final TopologyTestDriver driver;
  private final TestInputTopic<byte[], byte[]> input;
  private final TestOutputTopic<String, String> alerts;
  private final TestOutputTopic<byte[], byte[]> deadLetters;
  private final Path stateDir;
  private final SkipCounter skips = new SkipCounter();
  private long lines;
  private long problems;
  private long revisions;

  /** Counts the records of other event types that the input held (not dead letters). */
  private static final class SkipCounter implements DetectorMetrics {
    private final java.util.TreeMap<String, Long> byCategory = new java.util.TreeMap<>();

    @Override
    public void skippedCategory(String category) {
      byCategory.merge(category, 1L, Long::sum);
    }
  }

  /** A scan whose clock is the wall clock now, with the default clock-skew tolerance. */
  public Scanner(RuleSpec rule) {
    this(rule, DetectorClock.fixedAt(Instant.now(), DetectorClock.DEFAULT_TOLERANCE));
  }

  /** A scan printing JSON alerts, with the given clock. */
  public Scanner(RuleSpec rule, DetectorClock clock) {
    this(rule, clock, InputFormat.JSON, AlertFormat.JSON);
  }

  /** A scan printing alerts in {@code alertFormat}, its clock the wall clock now. */
  public Scanner(RuleSpec rule, AlertFormat alertFormat) {
    this(
        rule,
        DetectorClock.fixedAt(Instant.now(), DetectorClock.DEFAULT_TOLERANCE),
        InputFormat.JSON,
        alertFormat);
  }

  /**
   * @param clock an offline clock ({@link DetectorClock#fixedAt}): the same for the whole input, so
   *     that the scan of a file does not depend on how long it takes
   */
  public Scanner(RuleSpec rule, DetectorClock clock, InputFormat format) {
    this(rule, clock, format, AlertFormat.JSON);
  }

  /**
   * @param format how lines are read: {@link InputFormat#JSON} detects each line's format; a
   *     narrower JSON format ({@code defender}, {@code sysmon}, …) reads only that one
   * @param alertFormat how each revision is printed: one of the text formats (json, ocsf, ecs)
   */
  public Scanner(RuleSpec rule, DetectorClock clock, InputFormat format, AlertFormat alertFormat) {
    if (!format.isJson()) {
      throw new IllegalArgumentException("scan reads JSON lines, not " + format.cliName());
    }
    if (!alertFormat.isText()) {
      throw new IllegalArgumentException(
          "scan prints alerts as text: --alert-format json, ocsf or ecs");
    }
    try {
      this.stateDir = Files.createTempDirectory("detector-scan");
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a temporary state directory", e);
    }
    TopologyConfig config = new TopologyConfig(List.of(INPUT), null, OUTPUT, rule, false, clock);
    DetectorSerdes serdes = DetectorStreams.serdes(format, alertFormat, null, rule);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "detector-scan");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "scan.invalid:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.putAll(StreamsSettings.required(DEAD_LETTERS, DetectorMetrics.NONE));
    this.driver =
        new TopologyTestDriver(DetectorTopology.build(config, serdes, skips), props, Instant.EPOCH);
    this.input =
        driver.createInputTopic(INPUT, new ByteArraySerializer(), new ByteArraySerializer());
    this.alerts =
        driver.createOutputTopic(OUTPUT, new StringDeserializer(), new StringDeserializer());
    this.deadLetters =
        driver.createOutputTopic(
            DEAD_LETTERS, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Scans a stream of JSON lines. Blank lines are ignored.
   *
   * @param alertSink receives each alert revision as one JSON object
   * @param problemSink receives {@code line N: reason: message} for each unreadable line
   */
  public void scan(InputStream in, Consumer<String> alertSink, Consumer<String> problemSink)
      throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(2048);
    byte[] buf = new byte[1 << 16];
    int n;
    while ((n = in.read(buf)) > 0) {
      for (int i = 0; i < n; i++) {
        byte b = buf[i];
        if (b == '\n') {
          feed(line, alertSink, problemSink);
          line.reset();
        } else {
          line.write(b);
        }
      }
    }
    if (line.size() > 0) {
      feed(line, alertSink, problemSink);
    }
    // the end of the input: every window that has emptied by now closes (SPEC 4); the sources'
    // last progress reaches the windows on their next wall-clock tick
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    drain(alertSink, problemSink);
  }

  private void feed(
      ByteArrayOutputStream line, Consumer<String> alertSink, Consumer<String> problemSink) {
    lines++;
    byte[] bytes = line.toByteArray();
    int len = bytes.length;
    if (len > 0 && bytes[len - 1] == '\r') {
      len--;
    }
    if (isBlank(bytes, len)) {
      return;
    }
    byte[] value = len == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, len);
    Headers headers = new RecordHeaders();
    headers.add(LINE_HEADER, Long.toString(lines).getBytes(StandardCharsets.UTF_8));
    input.pipeInput(new TestRecord<>(null, value, headers, Instant.EPOCH));
    drain(alertSink, problemSink);
  }

  private void drain(Consumer<String> alertSink, Consumer<String> problemSink) {
    while (!alerts.isEmpty()) {
      alertSink.accept(alerts.readValue());
      revisions++;
    }
    while (!deadLetters.isEmpty()) {
      TestRecord<byte[], byte[]> dl = deadLetters.readRecord();
      problems++;
      problemSink.accept(describe(dl.headers()));
    }
  }

  private static boolean isBlank(byte[] b, int len) {
    for (int i = 0; i < len; i++) {
      if (b[i] != ' ' && b[i] != '\t') {
        return false;
      }
    }
    return true;
  }

  private static String describe(Headers h) {
    String line = header(h, LINE_HEADER);
    String index = header(h, DeadLetters.ENVELOPE_INDEX);
    return "line "
        + line
        + (index == null ? "" : " (record " + index + ")")
        + ": "
        + header(h, DeadLetters.ERROR_REASON)
        + ": "
        + header(h, DeadLetters.ERROR_MESSAGE);
  }

  private static String header(Headers h, String key) {
    Header last = h.lastHeader(key);
    return last == null || last.value() == null
        ? null
        : new String(last.value(), StandardCharsets.UTF_8);
  }

  public long lines() {
    return lines;
  }

  public long problems() {
    return problems;
  }

  public long revisions() {
    return revisions;
  }

  /** Records of other event types or providers, skipped: how many, by category. */
  public java.util.SortedMap<String, Long> skipped() {
    return java.util.Collections.unmodifiableSortedMap(skips.byCategory);
  }

  @Override
  public void close() {
    driver.close();
    Directories.deleteRecursively(stateDir); // a temporary directory left behind is harmless
  }
}
