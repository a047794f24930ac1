package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.detector.registry.ConfluentAvro;
import dev.webshell.detector.registry.MockSchemaRegistryClient;
import dev.webshell.schema.DeviceProcessEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * The writer-specialized {@link ProjectionReader} path of {@link AvroEventDecoder} against Avro's
 * generic resolving reader (the decoder before it, kept as the fallback): the same ProcessEvent for
 * random full-width events, for evolved writer schemas (extra fields of every Avro type, reordered,
 * nullable or missing columns), and the same outcome — event or dead-letter reason — for truncated
 * and corrupted bytes and unknown schema ids.
 */
class AvroEventDecoderParityTest {
  private static final Schema FULL = DeviceProcessEvent.getClassSchema();
  private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
  private final AvroEventDecoder generic = AvroEventDecoder.genericReaderOnly(registry);
  private final AvroEventDecoder specialized = new AvroEventDecoder(registry);
  private int subjects;

  @Test
  void shouldDecodeRandomFullWidthEventsWithRandomNullsToTheSameProcessEventAsTheGenericReader() {
    int id = register(FULL);
    assertNotNull(ProjectionReader.compile(FULL, AvroEventDecoder.PROJECTION));
    TrafficGenerator gen = new TrafficGenerator(7, 200, 0.05);
    Random random = new Random(7);
    long t = 1_700_000_000_000_000L;
    int shells = 0;
    int emptyDeviceIds = 0;
    for (int i = 0; i < 3_000; i++) {
      GenericRecord r = generic(FULL, gen.next(t + i * 1000L));
      if (i % 3 == 0) {
        nullSomeColumns(r, random);
      }
      byte[] bytes = ConfluentAvro.encode(id, r);
      String expected = outcome(generic, bytes);
      assertEquals(expected, outcome(specialized, bytes));
      if (expected.contains("fileName=cmd.exe") || expected.contains("fileName=powershell.exe")) {
        shells++;
      } else if (expected.startsWith("dead letter missing-field")) {
        emptyDeviceIds++;
      }
    }
    assertTrue(shells > 0 && emptyDeviceIds > 0, shells + " shells, " + emptyDeviceIds);
  }

  @Test
  void shouldReadEvolvedWritersWithExtraFieldsOfEveryTypeReorderedAndMissingColumnsLikeAvro() {
    Random random = new Random(11);
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : FULL.getFields()) {
      if (f.name().equals("FolderPath") || f.name().equals("TenantId")) {
        continue; // projected columns the writer no longer has: null
      }
      Schema type = f.schema();
      if (f.name().equals("FileName")) {
        type = SchemaBuilder.unionOf().stringType().and().nullType().endUnion(); // [string, null]
      } else if (f.name().equals("DeviceName") || f.name().equals("ReportId")) {
        type = type.getTypes().get(1); // no longer nullable
      }
      fields.add(new Schema.Field(f.name(), type, null, (Object) null));
    }
    Schema inner =
        SchemaBuilder.record("Inner").fields().requiredString("a").requiredLong("b").endRecord();
    Schema enumType = SchemaBuilder.enumeration("Color").symbols("RED", "GREEN", "BLUE");
    Schema fixed = SchemaBuilder.fixed("Hash").size(5);
    Object[][] extras = {
      {"xInt", Schema.create(Schema.Type.INT)},
      {"xBoolean", Schema.create(Schema.Type.BOOLEAN)},
      {"xFloat", Schema.create(Schema.Type.FLOAT)},
      {"xDouble", Schema.create(Schema.Type.DOUBLE)},
      {"xBytes", Schema.create(Schema.Type.BYTES)},
      {"xString", Schema.create(Schema.Type.STRING)},
      {"xLong", Schema.create(Schema.Type.LONG)},
      {"xNull", Schema.create(Schema.Type.NULL)},
      {"xEnum", enumType},
      {"xFixed", fixed},
      {"xRecord", inner},
      {"xArray", Schema.createArray(Schema.create(Schema.Type.STRING))},
      {"xMap", Schema.createMap(Schema.create(Schema.Type.LONG))},
      {"xUnion3", SchemaBuilder.unionOf().nullType().and().intType().and().stringType().endUnion()},
      {"xNullableLong", SchemaBuilder.unionOf().longType().and().nullType().endUnion()},
      {"xNullableBytes", SchemaBuilder.unionOf().nullType().and().bytesType().endUnion()},
    };
    for (Object[] x : extras) {
      fields.add(new Schema.Field((String) x[0], (Schema) x[1], null, (Object) null));
    }
    Collections.shuffle(fields, random);
    Schema writer =
        Schema.createRecord("DeviceProcessEvent", null, "dev.webshell.schema", false, fields);
    assertNotNull(ProjectionReader.compile(writer, AvroEventDecoder.PROJECTION));
    int id = register(writer);

    TrafficGenerator gen = new TrafficGenerator(11, 50, 0.05);
    for (int i = 0; i < 500; i++) {
      DeviceProcessEvent e = gen.next(1_700_000_000_000_000L + i);
      GenericRecord r = generic(writer, e);
      r.put("xInt", random.nextInt());
      r.put("xBoolean", random.nextBoolean());
      r.put("xFloat", random.nextFloat());
      r.put("xDouble", random.nextDouble());
      r.put("xBytes", ByteBuffer.wrap(new byte[random.nextInt(20)]));
      r.put("xString", "s" + random.nextInt());
      r.put("xLong", random.nextLong());
      r.put("xEnum", new GenericData.EnumSymbol(enumType, "GREEN"));
      r.put("xFixed", new GenericData.Fixed(fixed, new byte[] {1, 2, 3, 4, 5}));
      GenericRecord in = new GenericData.Record(inner);
      in.put("a", "inner");
      in.put("b", 42L);
      r.put("xRecord", in);
      r.put("xArray", List.of("a", "bb", "ccc").subList(0, random.nextInt(4)));
      r.put("xMap", random.nextBoolean() ? Map.of() : Map.of("k", 1L, "l", 2L));
      r.put(
          "xUnion3",
          switch (random.nextInt(3)) {
            case 0 -> null;
            case 1 -> random.nextInt();
            default -> "u";
          });
      r.put("xNullableLong", random.nextBoolean() ? null : random.nextLong());
      r.put("xNullableBytes", random.nextBoolean() ? null : ByteBuffer.wrap(new byte[3]));
      byte[] bytes = ConfluentAvro.encode(id, r);
      ProcessEvent expected = generic.apply(bytes);
      assertNull(expected.folderPath());
      assertNull(expected.tenantId());
      assertEquals(e.getProcessCommandLine(), expected.processCommandLine());
      assertEquals(expected, specialized.apply(bytes));
    }
  }

  @Test
  void shouldLeaveWritersItCannotResolveExactlyToTheGenericReaderWithTheSameOutcome() {
    // int ProcessId (promoted to long), bytes FileName (promoted to string), another record name,
    // a union branch the projection cannot hold, Timestamp as a string: Avro's resolver decides
    List<Schema> writers = new ArrayList<>();
    writers.add(replace(FULL, "ProcessId", Schema.create(Schema.Type.INT)));
    writers.add(replace(FULL, "FileName", Schema.create(Schema.Type.BYTES)));
    writers.add(
        replace(
            FULL,
            "ProcessCommandLine",
            SchemaBuilder.unionOf().nullType().and().stringType().and().longType().endUnion()));
    writers.add(replace(FULL, "Timestamp", Schema.create(Schema.Type.STRING)));
    writers.add(Schema.createRecord("OtherEvent", null, "dev.webshell.other", false, copy(FULL)));
    TrafficGenerator gen = new TrafficGenerator(13, 20, 0.05);
    for (Schema writer : writers) {
      assertNull(ProjectionReader.compile(writer, AvroEventDecoder.PROJECTION), writer.toString());
      int id = register(writer);
      GenericRecord r = generic(writer, gen.next(1_700_000_000_000_000L));
      if (writer.getField("ProcessId").schema().getType() == Schema.Type.INT) {
        r.put("ProcessId", 4242);
      }
      if (writer.getField("FileName").schema().getType() == Schema.Type.BYTES) {
        r.put("FileName", ByteBuffer.wrap("cmd.exe".getBytes(StandardCharsets.UTF_8)));
      }
      if (writer.getField("Timestamp").schema().getType() == Schema.Type.STRING) {
        r.put("Timestamp", "yesterday");
      }
      byte[] bytes = ConfluentAvro.encode(id, r);
      assertEquals(outcome(generic, bytes), outcome(specialized, bytes), writer.toString());
    }
  }

  @Test
  void shouldGiveTheSameEventOrDeadLetterReasonForTruncatedAndCorruptedBytes() {
    int id = register(FULL);
    TrafficGenerator gen = new TrafficGenerator(17, 20, 0.05);
    Random random = new Random(17);
    int deadLetters = 0;
    int events = 0;
    for (int n = 0; n < 40; n++) {
      GenericRecord r = generic(FULL, gen.next(1_700_000_000_000_000L + n));
      if (n % 2 == 0) {
        nullSomeColumns(r, random);
      }
      byte[] bytes = ConfluentAvro.encode(id, r);
      List<byte[]> broken = new ArrayList<>();
      for (int len = 0; len < bytes.length; len += 1 + random.nextInt(7)) {
        broken.add(Arrays.copyOf(bytes, len)); // truncated (under 5: no header at all)
      }
      for (int k = 0; k < 60; k++) {
        byte[] b = bytes.clone();
        for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
          int at = ConfluentAvro.HEADER_SIZE + random.nextInt(b.length - ConfluentAvro.HEADER_SIZE);
          b[at] = (byte) random.nextInt(256); // a corrupted length, union index or character
        }
        broken.add(b);
      }
      byte[] badId = bytes.clone();
      badId[4] = 99; // a schema id the registry does not know
      broken.add(badId);
      byte[] badMagic = bytes.clone();
      badMagic[0] = 1;
      broken.add(badMagic);
      for (byte[] b : broken) {
        String expected = outcome(generic, b);
        assertEquals(expected, outcome(specialized, b), "bytes " + Arrays.toString(b));
        if (expected.startsWith("dead letter")) {
          deadLetters++;
        } else {
          events++;
        }
      }
    }
    assertTrue(deadLetters > 1000 && events > 100, deadLetters + " dead letters, " + events);
  }

  /**
   * Records of two writer schemas (the full one and the same fields in reverse order) interleaved
   * at random, decoded by one decoder from two threads at once: each is read with its own writer
   * schema's reader (the decoder remembers the last schema id it saw, and each thread its own
   * scratch decoder).
   */
  @Test
  void shouldReadInterleavedWriterSchemasFromTwoThreadsEachWithItsOwnReader() throws Exception {
    List<Schema.Field> reversed = copy(FULL);
    Collections.reverse(reversed);
    Schema backwards =
        Schema.createRecord(FULL.getName(), null, FULL.getNamespace(), false, reversed);
    int forward = register(FULL);
    int backward = register(backwards);
    TrafficGenerator gen = new TrafficGenerator(11, 100, 0.2);
    Random random = new Random(11);
    List<byte[]> records = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 4_000; i++) {
      DeviceProcessEvent e = gen.next(1_700_000_000_000_000L + i * 1000L);
      boolean back = random.nextBoolean();
      byte[] bytes =
          ConfluentAvro.encode(back ? backward : forward, generic(back ? backwards : FULL, e));
      records.add(bytes);
      expected.add(outcome(generic, bytes));
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<String>>> runs = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        runs.add(
            pool.submit(
                () -> {
                  List<String> out = new ArrayList<>();
                  for (byte[] b : records) {
                    out.add(outcome(specialized, b));
                  }
                  return out;
                }));
      }
      for (Future<List<String>> run : runs) {
        assertEquals(expected, run.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The decoded event, or the dead-letter reason (and message, but for invalid-avro whose message
   * quotes the exception of whichever reader gave up).
   */
  private static String outcome(AvroEventDecoder decoder, byte[] bytes) {
    try {
      return "event " + decoder.apply(bytes);
    } catch (DecodeException e) {
      return "dead letter "
          + e.reason()
          + (e.reason().equals("invalid-avro") ? "" : ": " + e.getMessage());
    }
  }

  private int register(Schema schema) {
    return registry.register("parity-" + subjects++ + "-value", schema);
  }

  /** A generic record of {@code schema} with the event's values where the field names agree. */
  private static GenericRecord generic(Schema schema, DeviceProcessEvent e) {
    GenericRecord r = new GenericData.Record(schema);
    for (Schema.Field f : schema.getFields()) {
      Schema.Field old = FULL.getField(f.name());
      if (old != null) {
        Object v = e.get(old.pos());
        r.put(f.pos(), v instanceof Instant i ? Timestamps.toMicros(i) : v);
      }
    }
    return r;
  }

  /** Sets a random third of the nullable columns to null, DeviceId's too now and then. */
  private static void nullSomeColumns(GenericRecord r, Random random) {
    for (Schema.Field f : r.getSchema().getFields()) {
      if (f.schema().getType() == Schema.Type.UNION && random.nextInt(3) == 0) {
        r.put(f.pos(), null);
      }
    }
    if (random.nextInt(10) == 0) {
      r.put("DeviceId", "");
    }
  }

  private static List<Schema.Field> copy(Schema schema) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    return fields;
  }

  private static Schema replace(Schema schema, String field, Schema type) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      fields.add(
          f.name().equals(field)
              ? new Schema.Field(f.name(), type, null, (Object) null)
              : new Schema.Field(f, f.schema()));
    }
    return Schema.createRecord(schema.getName(), null, schema.getNamespace(), false, fields);
  }
}
