package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.detector.registry.ConfluentAvro;
import dev.webshell.detector.registry.MockSchemaRegistryClient;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.schema.DeviceProcessEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link AvroEventDecoder} given the rule's {@code mayBeShell} against the decoder that builds
 * every event in full, for both built-in profiles: the same verdict of the rule for every event,
 * the same event for every event whose FileName is a shell, the same Timestamp, DeviceId, ReportId
 * and ProcessId (and nothing else) for the others, and the same dead letter, reason and message,
 * for truncated and corrupted records.
 */
class RuleAwareDecoderParityTest {
  private static final Schema FULL = DeviceProcessEvent.getClassSchema();
  private static final String[] WEB_SERVERS = {
    "w3wp.exe", "W3WP.EXE", "tomcat9.exe", "httpd.exe", "C:\\inetsrv\\w3wp.exe", "java.exe"
  };
  private static final String[] COMMANDS = {
    "cmd.exe /c whoami",
    "cmd /c ipconfig /all",
    "powershell -c \"iwr x -OutFile %TEMP%\\a\"",
    "net user",
    "cmd.exe /c echo ok"
  };

  private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
  private final AvroEventDecoder full = new AvroEventDecoder(registry);
  private final AvroEventDecoder generic = AvroEventDecoder.genericReaderOnly(registry);
  private final int id = registry.register("events-value", FULL);

  /** What the comparisons saw, so that a test can show it covered every case. */
  private static final class Seen {
    int candidates;
    int matches;
    int others;
    int deadLetters;

    @Override
    public String toString() {
      return candidates
          + " candidates ("
          + matches
          + " matches), "
          + others
          + " others, "
          + deadLetters
          + " dead letters";
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"kql", "hardened"})
  void shouldGiveTheSameVerdictAndTheFullEventForShellsOnRandomFullWidthEvents(String profile) {
    Rule rule = new Rule(RuleFiles.builtIn(profile));
    AvroEventDecoder lazy = new AvroEventDecoder(registry, rule::mayBeShell);
    TrafficGenerator gen = new TrafficGenerator(23, 100, 0.05);
    Random random = new Random(23);
    Seen seen = new Seen();
    long t = 1_700_000_000_000_000L;
    for (int i = 0; i < 4_000; i++) {
      GenericRecord r = record(gen.next(t + i * 1000L));
      perturb(r, rule, random);
      compare(rule, lazy, ConfluentAvro.encode(id, r), seen);
    }
    assertTrue(
        seen.candidates > 1_000
            && seen.matches > 100
            && seen.others > 1_000
            && seen.deadLetters > 20,
        seen.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"kql", "hardened"})
  void shouldJudgeFileNameBytesThatAreNotValidUtf8LikeTheFullDecoder(String profile) {
    Rule rule = new Rule(RuleFiles.builtIn(profile));
    AvroEventDecoder lazy = new AvroEventDecoder(registry, rule::mayBeShell);
    TrafficGenerator gen = new TrafficGenerator(29, 20, 0.05);
    Random random = new Random(29);
    Seen seen = new Seen();
    for (int i = 0; i < 2_000; i++) {
      // FileName's bytes replaced in the encoded record: Avro strings hold any bytes
      byte[] name = fileNameBytes(rule, random);
      String marker = "\u0001".repeat(name.length);
      GenericRecord r = record(gen.next(1_700_000_000_000_000L + i));
      r.put("FileName", marker);
      if (random.nextBoolean()) {
        r.put("InitiatingProcessFileName", "w3wp.exe");
        r.put("ProcessCommandLine", "cmd.exe /c whoami");
      }
      byte[] bytes = ConfluentAvro.encode(id, r);
      int at = indexOf(bytes, marker.getBytes(StandardCharsets.US_ASCII));
      System.arraycopy(name, 0, bytes, at, name.length);
      compare(rule, lazy, bytes, seen);
    }
    assertTrue(seen.candidates > 300 && seen.matches > 100 && seen.others > 300, seen.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"kql", "hardened"})
  void shouldGiveTheSameDeadLetterForTruncatedAndCorruptedRecords(String profile) {
    Rule rule = new Rule(RuleFiles.builtIn(profile));
    AvroEventDecoder lazy = new AvroEventDecoder(registry, rule::mayBeShell);
    TrafficGenerator gen = new TrafficGenerator(31, 20, 0.05);
    Random random = new Random(31);
    Seen seen = new Seen();
    for (int n = 0; n < 20; n++) {
      GenericRecord r = record(gen.next(1_700_000_000_000_000L + n));
      perturb(r, rule, random);
      byte[] bytes = ConfluentAvro.encode(id, r);
      List<byte[]> broken = new ArrayList<>();
      for (int len = 0; len < bytes.length; len += 1 + random.nextInt(7)) {
        broken.add(Arrays.copyOf(bytes, len));
      }
      for (int k = 0; k < 60; k++) {
        byte[] b = bytes.clone();
        for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
          int at = ConfluentAvro.HEADER_SIZE + random.nextInt(b.length - ConfluentAvro.HEADER_SIZE);
          b[at] = (byte) random.nextInt(256);
        }
        broken.add(b);
      }
      for (byte[] b : broken) {
        compare(rule, lazy, b, seen);
      }
    }
    assertTrue(seen.deadLetters > 3_000 && seen.candidates + seen.others > 500, seen.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"kql", "hardened"})
  void shouldDeadLetterAStringLengthThatIsNegativeOrBeyondTheRecord(String profile) {
    Rule rule = new Rule(RuleFiles.builtIn(profile));
    AvroEventDecoder lazy = new AvroEventDecoder(registry, rule::mayBeShell);
    GenericRecord r = record(new TrafficGenerator(37, 5, 0).next(1_700_000_000_000_000L));
    String marker = "\u0001".repeat(9);
    for (String column : List.of("DeviceId", "FileName", "ProcessCommandLine", "TenantId")) {
      GenericRecord copy = new GenericData.Record((GenericData.Record) r, true);
      copy.put(column, marker);
      byte[] bytes = ConfluentAvro.encode(id, copy);
      int at = indexOf(bytes, marker.getBytes(StandardCharsets.US_ASCII));
      assertEquals(18, bytes[at - 1]); // the length, 9, as a zig-zag varint
      // -1, and 1 MB: more than the record holds (under Avro's length limit)
      Map<String, byte[]> lengths =
          Map.of(
              "Length is negative",
              new byte[] {1},
              "EOFException",
              new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, 1});
      for (Map.Entry<String, byte[]> length : lengths.entrySet()) {
        byte[] varint = length.getValue();
        byte[] b = new byte[bytes.length - 1 + varint.length];
        System.arraycopy(bytes, 0, b, 0, at - 1);
        System.arraycopy(varint, 0, b, at - 1, varint.length);
        System.arraycopy(bytes, at, b, at - 1 + varint.length, bytes.length - at);
        DecodeException expected = assertDeadLetter(full, b);
        DecodeException actual = assertDeadLetter(lazy, b);
        assertEquals("invalid-avro", expected.reason());
        assertEquals(expected.getMessage(), actual.getMessage());
        assertEquals(expected.reason(), assertDeadLetter(generic, b).reason());
        assertTrue(expected.getMessage().contains(length.getKey()), expected.getMessage());
      }
    }
  }

  /**
   * Decodes {@code bytes} with both decoders and checks what the rule-aware one may and may not
   * leave out.
   */
  private void compare(Rule rule, AvroEventDecoder lazy, byte[] bytes, Seen seen) {
    ProcessEvent expected;
    try {
      expected = full.apply(bytes);
    } catch (DecodeException e) {
      DecodeException actual = assertDeadLetter(lazy, bytes);
      assertEquals(e.reason(), actual.reason(), () -> Arrays.toString(bytes));
      assertEquals(e.getMessage(), actual.getMessage(), () -> Arrays.toString(bytes));
      assertEquals(e.reason(), assertDeadLetter(generic, bytes).reason());
      seen.deadLetters++;
      return;
    }
    ProcessEvent actual = lazy.apply(bytes);
    assertEquals(rule.matches(expected), rule.matches(actual), () -> expected + " vs " + actual);
    if (rule.isShell(expected.fileName())) {
      assertEquals(expected, actual);
      seen.candidates++;
      if (rule.matches(expected)) {
        seen.matches++;
      }
    } else {
      // only what the detector reads of an event that cannot match
      assertEquals(
          new ProcessEvent(
              expected.timestampMicros(),
              expected.deviceId(),
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              expected.reportId(),
              expected.processId(),
              null,
              null,
              null),
          actual);
      seen.others++;
    }
  }

  private static DecodeException assertDeadLetter(AvroEventDecoder decoder, byte[] bytes) {
    try {
      ProcessEvent e = decoder.apply(bytes);
      throw new AssertionError("decoded " + e + " from " + Arrays.toString(bytes));
    } catch (DecodeException e) {
      return e;
    }
  }

  /**
   * Now and then a shell (any case, maybe with a path), a web-server parent, a discovery command,
   * null columns, an empty DeviceId or a look-alike FileName.
   */
  private static void perturb(GenericRecord r, Rule rule, Random random) {
    List<String> shells = rule.spec().shells();
    if (random.nextInt(3) == 0) {
      String shell = shells.get(random.nextInt(shells.size()));
      shell = random.nextBoolean() ? shell.toUpperCase(Locale.ROOT) : shell;
      r.put("FileName", random.nextInt(4) == 0 ? "C:\\Windows\\System32\\" + shell : shell);
    }
    if (random.nextInt(3) == 0) {
      String server = WEB_SERVERS[random.nextInt(WEB_SERVERS.length)];
      r.put(
          random.nextBoolean() ? "InitiatingProcessFileName" : "InitiatingProcessParentFileName",
          server);
      if (server.equals("java.exe")) {
        r.put("InitiatingProcessCommandLine", "java -cp x org.apache.catalina.startup.Bootstrap");
      }
    }
    if (random.nextInt(3) == 0) {
      r.put("ProcessCommandLine", COMMANDS[random.nextInt(COMMANDS.length)]);
    }
    if (random.nextInt(20) == 0) {
      r.put("FileName", "\uFF43md.exe"); // full-width c
    }
    if (random.nextInt(4) == 0) {
      for (Schema.Field f : r.getSchema().getFields()) {
        if (f.schema().getType() == Schema.Type.UNION && random.nextInt(3) == 0) {
          r.put(f.pos(), null);
        }
      }
    }
    if (random.nextInt(40) == 0) {
      r.put("DeviceId", "");
    }
  }

  /** A shell's bytes, exact, mixed-case, cut, extended, or with a byte that is not UTF-8. */
  private static byte[] fileNameBytes(Rule rule, Random random) {
    List<String> shells = rule.spec().shells();
    byte[] b = shells.get(random.nextInt(shells.size())).getBytes(StandardCharsets.US_ASCII);
    if (random.nextBoolean()) {
      b[0] = (byte) Character.toUpperCase((char) b[0]);
    }
    switch (random.nextInt(5)) {
      case 0 -> b[random.nextInt(b.length)] = (byte) (0x80 + random.nextInt(128));
      case 1 -> {
        b = Arrays.copyOf(b, b.length + 1);
        b[b.length - 1] = (byte) (0xC0 + random.nextInt(64)); // a truncated sequence at the end
      }
      case 2 -> {
        byte[] path = {(byte) 0xE2, (byte) 0x82, '\\'}; // a truncated sequence, then a separator
        byte[] p = new byte[path.length + b.length];
        System.arraycopy(path, 0, p, 0, path.length);
        System.arraycopy(b, 0, p, path.length, b.length);
        b = p;
      }
      default -> {} // the shell itself
    }
    return b;
  }

  /** A generic record of the full schema with the event's values. */
  private static GenericRecord record(DeviceProcessEvent e) {
    GenericRecord r = new GenericData.Record(FULL);
    for (Schema.Field f : FULL.getFields()) {
      Object v = e.get(f.pos());
      r.put(f.pos(), v instanceof Instant i ? Timestamps.toMicros(i) : v);
    }
    return r;
  }

  private static int indexOf(byte[] data, byte[] needle) {
    for (int i = 0; i + needle.length <= data.length; i++) {
      if (Arrays.equals(data, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new IllegalStateException("marker not found");
  }
}
