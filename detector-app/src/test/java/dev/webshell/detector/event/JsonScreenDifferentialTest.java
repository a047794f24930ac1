package dev.webshell.detector.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webshell.detector.generator.EventFactory;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.generator.ProcessTreeTraffic;
import dev.webshell.detector.generator.WindowsEventJson;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The rule-aware JSON decoder ({@link JsonInputDecoder} given the rule as its {@link RecordScreen})
 * and the same decoder without a screen, against the decoder as it was before the screen ({@link
 * LegacyJsonInputDecoder}), on seeded random records of every JSON input (Defender rows, Streaming
 * API envelopes, flat Sysmon and 4688, Winlogbeat, ECS, the samples), mutated into adversarial and
 * broken JSON: escapes and {@code \\u} sequences in names and values, duplicate keys, deep nesting,
 * huge strings, raw malformed UTF-8 and encoded surrogates, numbers, objects and arrays where
 * strings are expected, truncation, trailing content.
 *
 * <p>Without a screen the decoder answers exactly as before. With one it answers the same dead
 * letters (reason and message), failures, skipped categories and formats, every Defender event that
 * can match and every Windows creation that can matter is the same event; a Defender event it
 * screened out has the same Timestamp, DeviceId, ReportId and ProcessId (all the detector reads of
 * an event that does not match) and the rule's verdict on the whole event is no; a Windows creation
 * it set aside differs only in its folder paths, command lines, account and lineage keys ({@link
 * ScreenComparison}).
 */
class JsonScreenDifferentialTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  // -Ddifferential.seed=… and -Ddifferential.cases=… vary a soak run; the defaults are the build's
  private static final long SEED = Long.getLong("differential.seed", 0L);
  private static final int CASES = Integer.getInteger("differential.cases", 6_000);

  private static final String[] NAMES = {
    "cmd.exe",
    "CMD.EXE",
    "C:\\Windows\\System32\\cmd.exe",
    "powershell.exe",
    "pwsh.exe",
    "powershell_ise.exe",
    "w3wp.exe",
    "W3WP.EXE",
    "java.exe",
    "tomcat9.exe",
    "httpd.exe",
    "php-cgi.exe",
    "chrome.exe",
    "conhost.exe",
    "cmd.exe ",
    "\uff43md.exe",
    "",
    "c:/tools/cmd.exe"
  };

  private static final String[] COMMANDS = {
    "cmd.exe /c whoami",
    "powershell -c ipconfig /all",
    "cmd /c echo ok",
    "java -cp x org.apache.catalina.startup.Bootstrap start",
    "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"Pool\"",
    "cmd.exe /c certutil -urlcache -split -f http://x/a.txt"
  };

  /** Names whose values the decoders read, any of which a mutation may add, rename or repeat. */
  private static final String[] KEYS = {
    "FileName",
    "ProcessCommandLine",
    "InitiatingProcessFileName",
    "InitiatingProcessParentFileName",
    "InitiatingProcessCommandLine",
    "DeviceId",
    "Timestamp",
    "ReportId",
    "ProcessId",
    "TenantId",
    "AccountName",
    "records",
    "properties",
    "category",
    "Image",
    "ParentImage",
    "CommandLine",
    "ParentCommandLine",
    "ProcessGuid",
    "ParentProcessGuid",
    "ParentProcessId",
    "NewProcessName",
    "NewProcessId",
    "EventID",
    "UtcTime",
    "Hostname",
    "executable",
    "name",
    "command_line",
    "args",
    "entity_id",
    "pid",
    "parent",
    "User"
  };

  private final ScreenComparison comparison = new ScreenComparison();

  @Test
  void shouldAnswerAsTheDecoderBeforeTheScreenOnRandomAndBrokenRecords() throws IOException {
    List<String> seeds = seedRecords();
    for (String profile : RuleFiles.profileNames()) {
      Rule rule = new Rule(RuleFiles.builtIn(profile));
      for (InputFormat format :
          List.of(InputFormat.JSON, InputFormat.DEFENDER, InputFormat.SYSMON, InputFormat.ECS)) {
        LegacyJsonInputDecoder before = new LegacyJsonInputDecoder(format);
        JsonInputDecoder whole = new JsonInputDecoder(format);
        JsonInputDecoder screened = new JsonInputDecoder(format, rule);
        Random r = new Random(profile.hashCode() * 31L + format.ordinal() + SEED * 1_000_003L);
        int cases = format == InputFormat.JSON ? CASES : CASES / 4;
        for (int i = 0; i < cases; i++) {
          // one record in four an envelope
          List<String> from = r.nextInt(4) == 0 ? seeds.subList(60, 80) : seeds;
          byte[] json = mutated(r, from.get(r.nextInt(from.size())));
          comparison.compare(rule, json, before, whole, screened);
          if (!format.isWindows()) {
            comparison.count(
                "scanner: " + new FlatRowScanner(json).scan(rule, format == InputFormat.DEFENDER));
          }
          if (format != InputFormat.DEFENDER) {
            WindowsEventDecoder.Result read =
                new WindowsFlatScanner(json)
                    .scan(new WindowsEventDecoder(format), format.isWindows());
            comparison.count("windows scanner: " + (read == null ? "unsure" : "read"));
          }
        }
      }
    }
    Map<String, Integer> seen = comparison.seen();
    System.out.println("JsonScreenDifferentialTest coverage: " + seen);
    assertTrue(comparison.seen("dead letter") >= 2_000, seen.toString());
    assertTrue(comparison.seen("dead letter: invalid-json") >= 500, seen.toString());
    assertTrue(comparison.seen("dead letter: bad-field") >= 200, seen.toString());
    assertTrue(comparison.seen("dead letter: missing-field") >= 50, seen.toString());
    assertTrue(comparison.seen("dead letter: surrogate") >= 5, seen.toString());
    assertTrue(comparison.seen("screened out: defender") >= 3_000, seen.toString());
    assertTrue(comparison.seen("read whole: defender") >= 1_000, seen.toString());
    assertTrue(comparison.seen("read whole: windows") >= 300, seen.toString());
    assertTrue(comparison.seen("set aside: windows") >= 300, seen.toString());
    assertTrue(comparison.seen("match") >= 100, seen.toString());
    assertTrue(comparison.seen("matters to the tree") >= 100, seen.toString());
    assertTrue(comparison.seen("envelope failure") >= 100, seen.toString());
    assertTrue(comparison.seen("envelope event") >= 300, seen.toString());
    assertTrue(comparison.seen("skipped") >= 100, seen.toString());
    // the hand-written scanner answered for many rows and left the others to Jackson (most
    // mutated rows here have a name written with escapes, which it leaves to Jackson)
    assertTrue(comparison.seen("scanner: SCREENED_OUT") >= 500, seen.toString());
    assertTrue(comparison.seen("scanner: MAY_MATCH") >= 100, seen.toString());
    assertTrue(comparison.seen("scanner: UNSURE") >= 2_000, seen.toString());
    assertTrue(comparison.seen("scanner: WINDOWS") >= 300, seen.toString());
    assertTrue(comparison.seen("windows scanner: read") >= 300, seen.toString());
    assertTrue(comparison.seen("windows scanner: unsure") >= 2_000, seen.toString());
  }

  // ---- the records

  private static List<String> seedRecords() throws IOException {
    List<String> out = new ArrayList<>();
    EventFactory factory = new EventFactory(18);
    long t = 1_772_359_200_000_000L;
    EventFactory.Spawn[] spawns = {
      factory.benign(),
      factory.benign(),
      new EventFactory.Spawn("svchost.exe", "w3wp.exe", "cmd.exe", COMMANDS[0], "pool"),
      new EventFactory.Spawn("w3wp.exe", "cmd.exe", "powershell.exe", COMMANDS[1], "pool"),
      new EventFactory.Spawn("svchost.exe", "w3wp.exe", "cmd.exe", COMMANDS[2], "pool"),
      new EventFactory.Spawn("services.exe", "java.exe", "cmd.exe", COMMANDS[0], "tomcat"),
      new EventFactory.Spawn("explorer.exe", "cmd.exe", "chrome.exe", "chrome.exe", "jdoe")
    };
    for (int i = 0; i < 60; i++) {
      out.add(EventJson.toJson(factory.event(t + i, i % 5, spawns[i % spawns.length])));
    }
    List<String> rows = new ArrayList<>(out);
    for (int i = 0; i < 20; i++) {
      StringBuilder b = new StringBuilder("{\"records\":[");
      int n = 1 + i % 4;
      for (int k = 0; k < n; k++) {
        b.append(k == 0 ? "" : ",")
            .append("{\"time\":\"2026-03-01T10:00:00Z\",\"tenantId\":\"t-")
            .append(i)
            .append("\",\"category\":\"")
            .append(k == 3 ? "AdvancedHunting-DeviceEvents" : JsonInputDecoder.CATEGORY)
            .append("\",\"properties\":")
            .append(rows.get((i * 7 + k) % rows.size()))
            .append('}');
      }
      out.add(b.append("]}").toString());
    }
    ProcessTreeTraffic traffic = new ProcessTreeTraffic(18, 40, 0.05, 0);
    for (int i = 0; i < 200; i++) {
      WindowsEventJson.Shape shape = WindowsEventJson.Shape.values()[i % 4];
      out.add(WindowsEventJson.toJson(traffic.next(t + i * 1000L), shape));
    }
    for (String sample :
        List.of(
            "softcell.jsonl",
            "variants.jsonl",
            "sysmon.jsonl",
            "winlogbeat.jsonl",
            "ecs.jsonl",
            "security-4688.jsonl")) {
      for (String line : Files.readAllLines(Path.of("../samples", sample))) {
        if (!line.isBlank()) {
          out.add(line);
        }
      }
    }
    return out;
  }

  /** The record written again with random changes (most records get none or one or two). */
  private static byte[] mutated(Random r, String seed) throws IOException {
    JsonNode tree = MAPPER.readTree(seed);
    ByteArrayOutputStream out = new ByteArrayOutputStream(seed.length() + 64);
    double rate = r.nextInt(4) == 0 ? 0 : 0.001 + r.nextDouble() * 0.012;
    new Writer(r, rate, out).value(tree, 0);
    byte[] b = out.toByteArray();
    switch (r.nextInt(40)) {
      case 0 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length)); // truncated
      case 1 -> b[r.nextInt(b.length)] = (byte) r.nextInt(256); // one byte changed
      case 2 -> b = concat(b, " x".getBytes(UTF_8)); // trailing content
      case 3 -> b = concat(concat("[".getBytes(UTF_8), b), "]".getBytes(UTF_8));
      case 4 -> b = concat(" \n".getBytes(UTF_8), concat(b, "\n ".getBytes(UTF_8)));
      default -> {}
    }
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Writes JSON by hand, so that it can write what no JSON library writes. */
  private static final class Writer {
    private final Random r;
    private final double rate;
    private final ByteArrayOutputStream out;

    Writer(Random r, double rate, ByteArrayOutputStream out) {
      this.r = r;
      this.rate = rate;
      this.out = out;
    }

    private boolean now() {
      return r.nextDouble() < rate;
    }

    private void raw(String s) {
      out.writeBytes(s.getBytes(UTF_8));
    }

    void value(JsonNode n, int depth) {
      if (n.isObject()) {
        raw("{");
        boolean first = true;
        for (Map.Entry<String, JsonNode> m : n.properties()) {
          if (now() && r.nextInt(4) == 0) {
            continue; // dropped
          }
          String key = now() ? KEYS[r.nextInt(KEYS.length)] : m.getKey();
          if (!first) {
            raw(",");
          }
          first = false;
          boolean interesting = r.nextInt(3) == 0 || isNameLike(key);
          if (now() && interesting) {
            // the same key twice: either copy may be the odd one
            boolean oddFirst = r.nextBoolean();
            member(key, oddFirst ? null : m.getValue(), depth);
            raw(",");
            member(key, oddFirst ? m.getValue() : null, depth);
          } else {
            member(key, now() ? null : m.getValue(), depth);
          }
        }
        if (now()) {
          raw(first ? "" : ",");
          member(KEYS[r.nextInt(KEYS.length)], null, depth);
        }
        raw("}");
      } else if (n.isArray()) {
        raw("[");
        for (int i = 0; i < n.size(); i++) {
          raw(i == 0 ? "" : ",");
          if (now()) {
            odd(depth + 1);
          } else {
            value(n.get(i), depth + 1);
          }
        }
        raw("]");
      } else if (n.isTextual()) {
        string(n.asText());
      } else {
        raw(n.toString());
      }
    }

    private static boolean isNameLike(String key) {
      return key.equals("FileName") || key.equals("Image") || key.contains("Process");
    }

    /** A member; an odd value when {@code value} is null. */
    private void member(String key, JsonNode value, int depth) {
      string(key);
      raw(":");
      if (value == null) {
        odd(depth + 1);
      } else {
        value(value, depth + 1);
      }
    }

    /** A string, some of its characters escaped, sometimes with bytes no encoder writes. */
    private void string(String s) {
      raw("\"");
      boolean escape = now() || r.nextInt(50) == 0;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          raw("\\" + c);
        } else if (c < 0x20) {
          raw(String.format("\\u%04x", (int) c));
        } else if (escape && r.nextInt(3) == 0) {
          raw(
              r.nextBoolean()
                  ? String.format("\\u%04X", (int) c)
                  : String.format("\\u%04x", (int) c));
        } else {
          raw(String.valueOf(c));
        }
      }
      if (now() && r.nextInt(3) == 0) {
        switch (r.nextInt(6)) {
          case 0 -> out.writeBytes(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}); // surrogate
          case 1 -> out.writeBytes(new byte[] {(byte) 0xFF});
          case 2 -> out.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28});
          case 3 -> raw("\\ud800");
          case 4 -> raw("\\q");
          default -> out.writeBytes(new byte[] {1});
        }
      }
      raw("\"");
    }

    /** Something a decoder may not expect here. */
    private void odd(int depth) {
      switch (r.nextInt(16)) {
        case 0, 1, 2 -> string(NAMES[r.nextInt(NAMES.length)]);
        case 3 -> string(COMMANDS[r.nextInt(COMMANDS.length)]);
        case 4 ->
            raw(
                List.of("1", "-5", "1.5", "99999999999999999999999", "1e400", "0")
                    .get(r.nextInt(6)));
        case 5 -> raw(List.of("true", "false", "null").get(r.nextInt(3)));
        case 6 ->
            raw(
                List.of("{}", "{\"a\":1}", "[]", "[\"cmd.exe\",\"/c\",\"whoami\"]")
                    .get(r.nextInt(4)));
        case 7 -> {
          int d = 50 + r.nextInt(30) - depth;
          raw("[".repeat(Math.max(1, d)) + "]".repeat(Math.max(1, d)));
        }
        case 8 -> string("x".repeat(20_000 + r.nextInt(50_000)) + "\\cmd.exe");
        case 9 ->
            string(
                List.of(
                        "2026-03-01T10:00:00.1234567Z",
                        "2026-02-30T00:00:00Z",
                        "2026-03-01 10:00:00.123",
                        "1772359200000",
                        "yesterday",
                        "")
                    .get(r.nextInt(6)));
        case 10 -> string(List.of("0x1a4", "abc", "12", " 7 ", "").get(r.nextInt(5)));
        case 11 -> raw("\"\\u0063md.exe\"");
        case 12 -> string("{5A17C313-9CD1-6000-003F-00000000101" + r.nextInt(10) + "}");
        case 13 -> raw("{\"name\":\"cmd.exe\",\"executable\":\"C:\\\\w\\\\w3wp.exe\",\"pid\":4}");
        case 14 -> string("Microsoft-Windows-Sysmon");
        default -> string("");
      }
    }
  }

  // ---- what the documentation says, one example each

  private static final JsonInputDecoder SCREENED =
      new JsonInputDecoder(InputFormat.JSON, new Rule(RuleFiles.builtIn("kql")));

  private static ProcessEvent one(String json) {
    return SCREENED.decode(json.getBytes(UTF_8)).events().get(0);
  }

  private static final String ROW =
      "\"Timestamp\":\"2026-03-01T10:00:00Z\",\"DeviceId\":\"d1\","
          + "\"ProcessCommandLine\":\"cmd.exe /c whoami\",\"InitiatingProcessFileName\":\"w3wp.exe\"";

  @Test
  void shouldKeepTheLastOfTwoFileNamesAsBefore() {
    assertEquals(
        "cmd.exe",
        one("{" + ROW + ",\"FileName\":\"chrome.exe\",\"FileName\":\"cmd.exe\"}").fileName());
    ProcessEvent screened =
        one("{" + ROW + ",\"FileName\":\"cmd.exe\",\"FileName\":\"chrome.exe\"}");
    assertNull(screened.fileName());
    assertNull(screened.processCommandLine());
  }

  @Test
  void shouldDeadLetterABadFirstCopyOfAKeyEvenWhenTheLastIsGood() {
    DecodeException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            DecodeException.class,
            () ->
                one("{" + ROW + ",\"FileName\":\"chrome.exe\",\"ReportId\":\"x\",\"ReportId\":1}"));
    assertEquals("bad-field", e.reason());
    assertEquals("ReportId is not an integer", e.getMessage());
  }

  @Test
  void shouldReadAnEscapedFieldNameAsTheNameItSpells() {
    assertEquals("cmd.exe", one("{" + ROW + ",\"File\\u004eame\":\"\\u0063md.exe\"}").fileName());
  }

  @Test
  void shouldStillDeadLetterMalformedTextInAColumnItDoesNotBuild() {
    byte[] json =
        concat(
            ("{"
                    + ROW.replace("cmd.exe /c whoami", "x")
                    + ",\"FileName\":\"chrome.exe\","
                    + "\"AccountName\":\"a")
                .getBytes(UTF_8),
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'});
    DecodeException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            DecodeException.class, () -> SCREENED.decode(json));
    assertEquals("invalid-json", e.reason());
    // the same record without AccountName's bad bytes: screened out
    assertNull(one("{" + ROW + ",\"FileName\":\"chrome.exe\"}").fileName());
  }
}
