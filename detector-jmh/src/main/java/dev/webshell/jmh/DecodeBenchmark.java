package dev.webshell.jmh;

import dev.webshell.detector.event.AvroEventDecoder;
import dev.webshell.detector.event.Decoded;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.JsonInputDecoder;
import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.registry.ConfluentAvroDeserializer;
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
 * {@code run} does) versus the full record, and the JSON row through the streaming decoder.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class DecodeBenchmark {
  byte[] avro;
  byte[] json;
  AvroEventDecoder projected;
  AvroEventDecoder projectedGeneric;
  ConfluentAvroDeserializer<GenericRecord> fullGeneric;
  ConfluentAvroDeserializer<DeviceProcessEvent> fullSpecific;
  JsonInputDecoder jsonDecoder;
  InputDeserializer input;

  @Setup
  public void setUp() {
    DeviceProcessEvent e = Events.event(Events.BENIGN);
    avro = Events.avro(e);
    json = EventJson.toJson(e).getBytes(StandardCharsets.UTF_8);
    projected = new AvroEventDecoder(Events.REGISTRY);
    projectedGeneric = AvroEventDecoder.genericReaderOnly(Events.REGISTRY);
    fullGeneric =
        ConfluentAvroDeserializer.generic(Events.REGISTRY, DeviceProcessEvent.getClassSchema());
    fullSpecific = ConfluentAvroDeserializer.specific(Events.REGISTRY, DeviceProcessEvent.class);
    jsonDecoder = new JsonInputDecoder();
    input = new InputDeserializer(InputFormat.AUTO, projected);
  }

  /**
   * AvroEventDecoder as the detector runs it: a reader specialized for the writer schema fills
   * {@link AvroEventDecoder#PROJECTION}'s columns and skips the others.
   */
  @Benchmark
  public ProcessEvent avroProjection() {
    return projected.apply(avro);
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

  /** The record value as Kafka Streams hands it to the detector (format detection included). */
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
