package dev.webshell.jmh;

import dev.webshell.detector.event.AvroEventDecoder;
import dev.webshell.detector.event.Decoded;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.JsonInputDecoder;
import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.registry.ConfluentAvroDeserializer;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.schema.DeviceProcessEvent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full-width DeviceProcessEvent: Confluent Avro decoded to the detector's projection (what
 * {@code run} did before the rule-aware decoder) versus the full record, the rule-aware projection
 * ({@code run} now: strings built only when FileName can be a shell) of a benign and of a shell
 * event, and the JSON row through the streaming decoder.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class DecodeBenchmark {
  byte[] avro;
  byte[] avroShell;
  byte[] json;
  AvroEventDecoder projected;
  AvroEventDecoder ruleAware;
  AvroEventDecoder projectedGeneric;
  ConfluentAvroDeserializer<GenericRecord> fullGeneric;
  ConfluentAvroDeserializer<DeviceProcessEvent> fullSpecific;
  JsonInputDecoder jsonDecoder;
  InputDeserializer input;
  InputDeserializer inputRuleAware;
  static final int COLD_RECORDS = 4096;
  byte[][] coldRecords;
  int next;

  @Setup
  public void setUp() {
    DeviceProcessEvent e = Events.event(Events.BENIGN);
    avro = Events.avro(e);
    avroShell = Events.avro(Events.event(Events.MATCH));
    json = EventJson.toJson(e).getBytes(StandardCharsets.UTF_8);
    projected = new AvroEventDecoder(Events.REGISTRY);
    projectedGeneric = AvroEventDecoder.genericReaderOnly(Events.REGISTRY);
    Rule rule = new Rule(RuleFiles.builtIn(RuleFiles.DEFAULT_PROFILE));
    ruleAware = new AvroEventDecoder(Events.REGISTRY, rule::mayBeShell);
    fullGeneric =
        ConfluentAvroDeserializer.generic(Events.REGISTRY, DeviceProcessEvent.getClassSchema());
    fullSpecific = ConfluentAvroDeserializer.specific(Events.REGISTRY, DeviceProcessEvent.class);
    jsonDecoder = new JsonInputDecoder();
    input = new InputDeserializer(InputFormat.AUTO, projected);
    inputRuleAware = new InputDeserializer(InputFormat.AUTO, ruleAware);
    coldRecords = new byte[COLD_RECORDS][];
    for (int i = 0; i < COLD_RECORDS; i++) {
      coldRecords[i] = avro.clone();
    }
  }

  /**
   * AvroEventDecoder without a rule: a reader specialized for the writer schema fills {@link
   * AvroEventDecoder#PROJECTION}'s columns and skips the others.
   */
  @Benchmark
  public ProcessEvent avroProjection() {
    return projected.apply(avro);
  }

  /**
   * AvroEventDecoder as {@code run} and {@code hunt} use it: given the rule's FileName test on
   * bytes, it builds only DeviceId of this benign event ({@code chrome.exe}, no shell).
   */
  @Benchmark
  public ProcessEvent avroProjectionRuleAware() {
    return ruleAware.apply(avro);
  }

  /** The full projection of a shell event (w3wp.exe → cmd.exe): every string built. */
  /**
   * The record value as Kafka Streams hands it to {@code run} (format detection, the rule-aware
   * decoder), over {@value #COLD_RECORDS} copies of the benign event (about 5 MB, five times a
   * core's L2 cache), one after the other: each record's bytes come from L3 or memory, as in the
   * running detector, where a poll's records were decompressed well before they are decoded.
   */
  @Benchmark
  public Decoded inputRuleAwareColdRecords() {
    byte[] record = coldRecords[next];
    next = (next + 1) & (COLD_RECORDS - 1);
    return inputRuleAware.deserialize("events", record);
  }

  /** The same on one record, in the cache: what the cold records cost on top. */
  @Benchmark
  public Decoded inputRuleAware() {
    return inputRuleAware.deserialize("events", avro);
  }

  @Benchmark
  public ProcessEvent avroProjectionShell() {
    return projected.apply(avroShell);
  }

  /** The rule-aware decoder on the same shell event: the FileName test, then every string. */
  @Benchmark
  public ProcessEvent avroProjectionRuleAwareShell() {
    return ruleAware.apply(avroShell);
  }

  /**
   * AvroEventDecoder with Avro's generic resolving reader (writer schema resolved against the
   * projection): what the detector did before the specialized reader.
   */
  @Benchmark
  public ProcessEvent avroProjectionGeneric() {
    return projectedGeneric.apply(avro);
  }

  /** The same bytes read as the full DeviceProcessEvent schema (generic record). */
  @Benchmark
  public GenericRecord avroFullGeneric() {
    return fullGeneric.deserialize("events", avro);
  }

  /** The same bytes read as the generated DeviceProcessEvent class. */
  @Benchmark
  public DeviceProcessEvent avroFullSpecific() {
    return fullSpecific.deserialize("events", avro);
  }

  /**
   * The record value as Kafka Streams hands it to the detector (format detection included), with
   * the decoder without a rule.
   */
  @Benchmark
  public Decoded inputDeserializerAvro() {
    return input.deserialize("events", avro);
  }

  /** The same event as a flat JSON row (streaming parser, unread columns skipped). */
  @Benchmark
  public Decoded json() {
    return jsonDecoder.decode(json);
  }
}
