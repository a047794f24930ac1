package dev.webshell.jmh;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.webshell.detector.event.Decoded;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.JsonInputDecoder;
import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.generator.ProcessTreeTraffic;
import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.detector.generator.WindowsEventJson;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where the per-record cost of JSON input goes, for a full-width benign Defender row (about 3 KB)
 * and the bench's varied rows, and for the generator's Windows shapes: Jackson's tokenizer alone
 * (every value skipped), the tokenizer building every string value, the decoder building every
 * event whole and as {@code run} uses it (rule-aware), and the rule on the decoded event. Records
 * cycle over {@value #RECORDS} (for {@code DEFENDER} one row repeated; the others distinct: the
 * bench's traffic, or the process tree generator's mix of benign traffic and intrusions).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class JsonDecodeBenchmark {
  static final int RECORDS = 256;

  /**
   * {@code DEFENDER}: one benign row, 256 times; {@code DEFENDER_TRAFFIC}: 256 rows of the bench's
   * traffic (devices, processes and command lines vary, as the branch predictor meets them in a
   * stream); the others: the process tree generator's records in that Windows shape.
   */
  @Param({"DEFENDER", "DEFENDER_TRAFFIC", "SYSMON", "WINLOGBEAT", "ECS", "WINDOWS_SECURITY"})
  String shape;

  byte[][] records = new byte[RECORDS][];
  ProcessEvent[] decoded = new ProcessEvent[RECORDS];
  final JsonFactory factory = new JsonFactory();
  JsonInputDecoder decoder;
  JsonInputDecoder ruleAware;
  Rule rule;
  int next;

  @Setup
  public void setUp() {
    rule = new Rule(RuleFiles.builtIn(RuleFiles.DEFAULT_PROFILE));
    decoder = new JsonInputDecoder();
    ruleAware = new JsonInputDecoder(InputFormat.JSON, rule);
    ProcessTreeTraffic traffic = new ProcessTreeTraffic(1, 1000, 333e-6, 0);
    TrafficGenerator rows = new TrafficGenerator(1, 50_000, 333e-6);
    for (int k = 0; k < RECORDS; k++) {
      long micros = 1_772_359_200_000_000L + k * 1000L;
      String json =
          switch (shape) {
            case "DEFENDER" -> EventJson.toJson(Events.event(Events.BENIGN));
            case "DEFENDER_TRAFFIC" -> EventJson.toJson(rows.next(micros));
            default ->
                WindowsEventJson.toJson(
                    traffic.next(micros), WindowsEventJson.Shape.valueOf(shape));
          };
      records[k] = json.getBytes(StandardCharsets.UTF_8);
      Decoded d = decoder.decode(records[k]);
      decoded[k] = d.events().isEmpty() ? null : d.events().get(0); // a skipped event id
    }
  }

  private byte[] nextRecord() {
    byte[] r = records[next];
    next = (next + 1) & (RECORDS - 1);
    return r;
  }

  /** The floor of any Jackson-based decoder: every token read, no value built. */
  @Benchmark
  public int tokens() throws IOException {
    int n = 0;
    try (JsonParser p = factory.createParser(nextRecord())) {
      while (p.nextToken() != null) {
        n++;
      }
    }
    return n;
  }

  /** Every token read and every string value built. */
  @Benchmark
  public int tokensAndStrings() throws IOException {
    int n = 0;
    try (JsonParser p = factory.createParser(nextRecord())) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.VALUE_STRING) {
          n += p.getText().length();
        }
      }
    }
    return n;
  }

  /** Opening a parser on a record and reading its first token: paid per parser. */
  @Benchmark
  public JsonToken openParser() throws IOException {
    try (JsonParser p = factory.createParser(nextRecord())) {
      return p.nextToken();
    }
  }

  /** Defender's Timestamp text to microseconds. */
  @Benchmark
  public long timestamp() {
    return Timestamps.parseMicros("2026-03-01T10:00:00.1234560Z");
  }

  /** The decoder building every event whole (no rule). */
  @Benchmark
  public Decoded decode() {
    return decoder.decode(nextRecord());
  }

  /**
   * The decoder as {@code run} uses it: given the rule, it builds the strings of the records that
   * may match (or matter to a process tree) only.
   */
  @Benchmark
  public Decoded decodeRuleAware() {
    return ruleAware.decode(nextRecord());
  }

  /** The rule on an already decoded event, as DetectProcessor asks it per shape. */
  @Benchmark
  public boolean rule() {
    ProcessEvent e = decoded[next];
    next = (next + 1) & (RECORDS - 1);
    return e != null && (e.lineage() != null ? rule.mattersToTheTree(e) : rule.matches(e));
  }
}
