package dev.webshell.detector.ops;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.e2e.Malformed;
import dev.webshell.detector.e2e.Traffic;
import dev.webshell.detector.event.AvroEventDecoder;
import dev.webshell.detector.event.DecodeException;
import dev.webshell.detector.event.Decoded;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.MockSchemaRegistryClient;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertJson;
import dev.webshell.detector.topology.DeadLetters;
import dev.webshell.detector.topology.DetectorClock;
import dev.webshell.detector.topology.DetectorSerdes;
import dev.webshell.detector.topology.DetectorTopology;
import dev.webshell.detector.topology.StreamsSettings;
import dev.webshell.detector.topology.TopologyConfig;
import dev.webshell.schema.DeviceProcessEvent;
import dev.webshell.schema.WebShellAlert;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of damaged records (bit flips, truncations, inserted bytes, inserted JSON) between
 * valid JSON and Avro events, through the production topology: nothing crashes, every record the
 * decoder rejects is a dead letter exactly once with its original bytes, and the alerts are exactly
 * those of a run over the readable records alone.
 */
class DeadLetterFuzzTest {
  private static final String INDEX = "fuzz.index";
  private static final long SEED = 20_261_102L;

  @TempDir Path tmp;

  /** One input record and where it came from. */
  private record Input(int index, byte[] value, boolean mutated) {}

  /** The topology over a list of inputs: alert JSON lines and dead letters by input index. */
  private record Run(List<String> alerts, Map<Integer, List<TestRecord<byte[], byte[]>>> dead) {}

  @Test
  void shouldDeadLetterEveryUnreadableMutationOnceAndKeepAlertsOfTheReadableRecordsExact() {
    MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    ConfluentAvroSerializer<DeviceProcessEvent> avro = ConfluentAvroSerializer.forValues(registry);
    TrafficGenerator traffic = new TrafficGenerator(SEED, 30, 0.03);
    Random random = new Random(SEED);

    List<Input> inputs = new ArrayList<>();
    List<byte[]> bases = new ArrayList<>();
    for (int i = 0; i < 800; i++) {
      DeviceProcessEvent e = traffic.next(Traffic.START_MICROS + i * 1_000_000L);
      byte[] valid =
          i % 2 == 0
              ? EventJson.toJson(e).getBytes(StandardCharsets.UTF_8)
              : avro.serialize("events", e);
      bases.add(valid);
      inputs.add(new Input(inputs.size(), valid, false));
      int mutations = random.nextInt(8);
      for (int m = 0; m < mutations; m++) {
        byte[] base = bases.get(random.nextInt(bases.size()));
        inputs.add(new Input(inputs.size(), mutate(base, random), true));
      }
    }

    // the decoder on its own says which records are readable
    InputDeserializer oracle =
        new InputDeserializer(InputFormat.AUTO, new AvroEventDecoder(registry));
    List<Input> readable = new ArrayList<>();
    Map<Integer, Integer> expectedDead = new HashMap<>();
    int unreadable = 0;
    int partly = 0;
    for (Input in : inputs) {
      try {
        Decoded d = oracle.deserialize("events", in.value());
        readable.add(in);
        if (!d.failures().isEmpty()) {
          expectedDead.put(in.index(), d.failures().size());
          partly++;
        }
      } catch (DecodeException e) {
        expectedDead.put(in.index(), 1);
        unreadable++;
      }
    }
    long mutated = inputs.stream().filter(Input::mutated).count();
    System.out.printf(
        "fuzz: %d records (%d valid, %d mutated): %d unreadable, %d partly readable, %d readable"
            + " mutations%n",
        inputs.size(),
        inputs.size() - mutated,
        mutated,
        unreadable,
        partly,
        readable.size() - (inputs.size() - mutated));
    assertTrue(mutated > 2000, "thousands of mutated records: " + mutated);
    assertTrue(unreadable > 1000, "most mutations are unreadable: " + unreadable);

    Run all = run(inputs, registry, "all");
    Run alone = run(readable, registry, "alone");

    assertFalse(alone.alerts().isEmpty(), "the valid records raise alerts");
    assertEquals(alone.alerts(), all.alerts(), "alert revisions with and without the bad records");

    // the readable ones dead-lettered in the clean run too (processing errors) are expected again
    alone.dead().forEach((index, records) -> expectedDead.merge(index, 0, Integer::sum));
    Map<Integer, Integer> actualDead = new HashMap<>();
    all.dead().forEach((index, records) -> actualDead.put(index, records.size()));
    assertEquals(expectedDead, actualDead, "dead letters per input record");
    for (Input in : inputs) {
      List<TestRecord<byte[], byte[]>> dl = all.dead().get(in.index());
      if (dl == null || in.value().length == 0) {
        continue;
      }
      if (expectedDead.get(in.index()) == 1 && !alone.dead().containsKey(in.index())) {
        TestRecord<byte[], byte[]> d = dl.get(0);
        if (d.headers().lastHeader(DeadLetters.ENVELOPE_INDEX) == null) {
          assertArrayEquals(in.value(), d.value(), "original bytes of input " + in.index());
        }
        assertNotNull(d.headers().lastHeader(DeadLetters.ERROR_REASON));
        assertEquals(
            "events",
            new String(
                d.headers().lastHeader(DeadLetters.SOURCE_TOPIC).value(), StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void shouldDeadLetterEachKindOfMalformedInputOnceAndCutAOneMegabyteCommandLine()
      throws Exception {
    MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    ConfluentAvroSerializer<DeviceProcessEvent> avro = ConfluentAvroSerializer.forValues(registry);
    DeviceProcessEvent event = new TrafficGenerator(1, 3, 0).next(Traffic.START_MICROS);
    byte[] lying = Arrays.copyOf(avro.serialize("events", event), 40);
    int p = 5;
    while ((lying[p] & 0x80) != 0) {
      p++; // past the Timestamp varint, to the DeviceId length
    }
    // a DeviceId "of 512 MiB": zig-zag varint of 2^29
    byte[] claim = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04};
    System.arraycopy(claim, 0, lying, p + 1, claim.length);

    Map<String, byte[]> bad = new LinkedHashMap<>(Malformed.samples());
    bad.put("Avro claiming a 512 MiB string", lying);
    List<Input> inputs = new ArrayList<>();
    List<String> names = new ArrayList<>(bad.keySet());
    for (String name : names) {
      inputs.add(new Input(inputs.size(), bad.get(name), true));
    }
    byte[] huge = Malformed.hugeCommandLine("dev-huge", 1_000_000);
    int hugeIndex = inputs.size();
    inputs.add(new Input(hugeIndex, huge, false));

    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    Run run = run(inputs, registry, "kinds");
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    System.out.printf(
        "malformed kinds: %d records, %.1f MB allocated in total%n",
        inputs.size(), allocated / 1e6);

    for (int i = 0; i < names.size(); i++) {
      List<TestRecord<byte[], byte[]>> dl = run.dead().get(i);
      assertNotNull(dl, names.get(i) + " is a dead letter");
      assertEquals(1, dl.size(), names.get(i) + " is a dead letter once");
      String reason =
          new String(dl.get(0).headers().lastHeader(DeadLetters.ERROR_REASON).value(), UTF_8);
      System.out.printf("  %-40s -> %s%n", names.get(i), reason);
      if (dl.get(0).headers().lastHeader(DeadLetters.ENVELOPE_INDEX) == null) {
        assertArrayEquals(bad.get(names.get(i)), dl.get(0).value(), names.get(i));
      }
    }
    assertFalse(run.dead().containsKey(hugeIndex), "the huge event is valid");
    assertEquals(1, run.alerts().size(), "one alert: the huge event's");
    JsonNode alert = Traffic.JSON.readTree(run.alerts().get(0));
    assertEquals("dev-huge", alert.get("deviceId").asText());
    assertTrue(alert.get("commandLinesCut").asBoolean(), alert.toString().substring(0, 300));
    assertEquals(
        RuleSpec.DEFAULT_MAX_COMMAND_LINE_LENGTH,
        alert.get("commandLines").get(0).asText().length());
    // the 512 MiB claim is refused before it is allocated; the 1 MB line costs a few copies of it
    assertTrue(allocated < 200_000_000L, "allocated " + allocated + " bytes");
  }

  private Run run(List<Input> inputs, MockSchemaRegistryClient registry, String name) {
    TopologyConfig config =
        new TopologyConfig(
            List.of("events"),
            null,
            "alerts",
            RuleSpec.seed(),
            false,
            DetectorClock.fixedAt(Instant.now(), DetectorClock.DEFAULT_TOLERANCE));
    DetectorSerdes serdes =
        new DetectorSerdes(
            // as run decodes: strings only for events whose FileName can be a shell
            new InputDeserializer(
                InputFormat.AUTO,
                new AvroEventDecoder(registry, new Rule(RuleSpec.seed())::mayBeShell)),
            Serdes.serdeFrom(AlertJson.<WebShellAlert>serializer(), (t, b) -> null));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "fuzz-" + name);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "fuzz.invalid:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, tmp.resolve(name).toString());
    props.putAll(StreamsSettings.required("dead-letters", DetectorMetrics.NONE));
    List<String> alerts = new ArrayList<>();
    Map<Integer, List<TestRecord<byte[], byte[]>>> dead = new HashMap<>();
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            DetectorTopology.build(config, serdes, DetectorMetrics.NONE), props, Instant.EPOCH)) {
      TestInputTopic<byte[], byte[]> in =
          driver.createInputTopic("events", new ByteArraySerializer(), new ByteArraySerializer());
      TestOutputTopic<String, String> out =
          driver.createOutputTopic("alerts", new StringDeserializer(), new StringDeserializer());
      TestOutputTopic<byte[], byte[]> dlq =
          driver.createOutputTopic(
              "dead-letters", new ByteArrayDeserializer(), new ByteArrayDeserializer());
      for (Input input : inputs) {
        RecordHeaders h = new RecordHeaders();
        h.add(INDEX, ByteBuffer.allocate(4).putInt(input.index()).array());
        in.pipeInput(
            new TestRecord<>(
                null, input.value(), h, Instant.ofEpochSecond(1_800_000_000L + input.index())));
        out.readValuesToList().forEach(alerts::add);
        for (TestRecord<byte[], byte[]> d : dlq.readRecordsToList()) {
          Header idx = d.headers().lastHeader(INDEX);
          dead.computeIfAbsent(ByteBuffer.wrap(idx.value()).getInt(), k -> new ArrayList<>())
              .add(d);
        }
      }
    }
    return new Run(alerts, dead);
  }

  private static final byte[][] JSON_SNIPPETS = {
    "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
    "[".getBytes(StandardCharsets.UTF_8),
    "]}".getBytes(StandardCharsets.UTF_8),
    "\"".getBytes(StandardCharsets.UTF_8),
    ",\"DeviceId\":null".getBytes(StandardCharsets.UTF_8),
    "\\u0000".getBytes(StandardCharsets.UTF_8),
    "{\"records\":[".getBytes(StandardCharsets.UTF_8),
    "1e999999".getBytes(StandardCharsets.UTF_8),
  };

  /** Bit flips, truncation, random bytes, or a JSON snippet, at random places. */
  static byte[] mutate(byte[] base, Random random) {
    byte[] b = base.clone();
    switch (random.nextInt(5)) {
      case 0 -> {
        int flips = 1 + random.nextInt(4);
        for (int i = 0; i < flips; i++) {
          int at = random.nextInt(b.length * 8);
          b[at / 8] ^= (byte) (1 << (at % 8));
        }
        return b;
      }
      case 1 -> {
        return java.util.Arrays.copyOf(b, random.nextInt(b.length));
      }
      case 2 -> {
        byte[] junk = new byte[1 + random.nextInt(16)];
        random.nextBytes(junk);
        return insert(b, random.nextInt(b.length + 1), junk);
      }
      case 3 -> {
        return insert(
            b, random.nextInt(b.length + 1), JSON_SNIPPETS[random.nextInt(JSON_SNIPPETS.length)]);
      }
      default -> {
        // overwrite a run of bytes with 0xff (varint lengths in Avro become huge)
        int at = random.nextInt(b.length);
        int n = Math.min(b.length - at, 1 + random.nextInt(6));
        java.util.Arrays.fill(b, at, at + n, (byte) 0xff);
        return b;
      }
    }
  }

  private static byte[] insert(byte[] b, int at, byte[] what) {
    byte[] out = new byte[b.length + what.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(what, 0, out, at, what.length);
    System.arraycopy(b, at, out, at + what.length, b.length - at);
    return out;
  }
}
