package dev.webshell.detector.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webshell.detector.event.FlatRowScanner.Outcome;
import dev.webshell.detector.generator.EventFactory;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link FlatRowScanner} at the level of bytes and tokens: real Defender rows written again token
 * by token with grammar-edge changes (whitespace of every kind between tokens, numbers in every
 * JSON form and invalid ones, literals whole and broken, values nested up to 40 deep, escapes valid
 * and not, UTF-8 valid and malformed, names escaped or not ASCII, duplicate columns), then byte
 * flips, insertions and truncation. For every profile the rule-aware decoder must answer as the
 * decoder before the screen ({@link ScreenComparison}), and whatever the scanner answers for itself
 * must be what Jackson reads: a row it does not leave to Jackson is one Jackson reads, and its file
 * names may match exactly when the scanner says so.
 */
class FlatRowScannerDifferentialTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  // -Ddifferential.seed=… and -Ddifferential.cases=… vary a soak run; the defaults are the build's
  private static final long SEED = Long.getLong("differential.seed", 18L);
  private static final int CASES_PER_PROFILE = Integer.getInteger("differential.cases", 6_000);

  private static final String[] COLUMNS = {
    "Timestamp",
    "DeviceId",
    "FileName",
    "ReportId",
    "ProcessId",
    "DeviceName",
    "ProcessCommandLine",
    "InitiatingProcessFileName",
    "InitiatingProcessParentFileName",
    "InitiatingProcessCommandLine",
    "InitiatingProcessFolderPath",
    "FolderPath",
    "AccountName",
    "MachineGroup",
    "TenantId",
    "records",
    "EventID",
    "X",
    ""
  };

  private static final String[] FILE_NAMES = {
    "cmd.exe",
    "CMD.EXE",
    "powershell.exe",
    "pwsh.exe",
    "w3wp.exe",
    "W3WP.EXE",
    "java.exe",
    "javaw.exe",
    "tomcat9.exe",
    "httpd.exe",
    "explorer.exe",
    "chrome.exe",
    "C:\\\\w\\\\cmd.exe",
    "c:/x/w3wp.exe",
    ""
  };

  private static final String[] VALID_NUMBERS = {
    "0",
    "-0",
    "7",
    "-7",
    "123456789012345678",
    "-123456789012345678",
    "1234567890123456789",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999999",
    "1.5",
    "-0.0",
    "1e3",
    "1E+3",
    "1e-3",
    "-2.5E-10",
    "0e0",
    "1e400"
  };

  private static final String[] INVALID_NUMBERS = {
    "01",
    "-01",
    "00",
    "1.",
    ".5",
    "+1",
    "1e",
    "1e+",
    "-",
    "--1",
    "0x1A",
    "NaN",
    "Infinity",
    "-Infinity",
    "1.e3",
    "1..2",
    "1e3.5",
    "1-",
    "1 2",
    "١"
  };

  private static final String[] LITERALS = {
    "true", "false", "null", "nul", "nullx", "tru", "truee", "fals", "falsey", "NULL", "True", "n"
  };

  private static final String[] ESCAPES =
      Stream.concat(
              JsonEscapes.VALID.stream(),
              Stream.of("\\q", "\\u12", "\\u12G4", "\\x41", "\\U0041", "\\'"))
          .toArray(String[]::new);

  private static final int[][] INVALID_UTF8 = {
    {0xC0, 0xAF},
    {0xC1, 0xBF},
    {0xE0, 0x80, 0xAF},
    {0xE0, 0x9F, 0xBF},
    {0xED, 0xA0, 0x80},
    {0xED, 0xBF, 0xBF},
    {0xF0, 0x8F, 0xBF, 0xBF},
    {0xF4, 0x90, 0x80, 0x80},
    {0xF5, 0x80, 0x80, 0x80},
    {0xF8, 0x88, 0x80, 0x80, 0x80},
    {0xFE},
    {0xFF},
    {0x80},
    {0xBF},
    {0xC3},
    {0xE2, 0x82},
    {0xF0, 0x9F, 0x98},
    {0xC3, 0x41},
    {0xE2, 0x28, 0xA1}
  };

  private final ScreenComparison comparison = new ScreenComparison();
  private final Map<String, Integer> outcomes = new TreeMap<>();

  @Test
  void shouldAnswerAsJacksonOnRowsMutatedAtTheGrammarsEdges() throws IOException {
    long start = System.nanoTime();
    List<JsonNode> seeds = seedRows();
    for (String profile : RuleFiles.profileNames()) {
      Rule rule = new Rule(RuleFiles.builtIn(profile));
      Random r = new Random(SEED * 31 + profile.hashCode());
      for (InputFormat format : List.of(InputFormat.JSON, InputFormat.DEFENDER)) {
        LegacyJsonInputDecoder before = new LegacyJsonInputDecoder(format);
        JsonInputDecoder whole = new JsonInputDecoder(format);
        JsonInputDecoder screened = new JsonInputDecoder(format, rule);
        int cases = format == InputFormat.JSON ? CASES_PER_PROFILE : CASES_PER_PROFILE / 3;
        for (int i = 0; i < cases; i++) {
          byte[] json = mutated(r, seeds.get(r.nextInt(seeds.size())));
          Outcome o = new FlatRowScanner(json).scan(rule, format == InputFormat.DEFENDER);
          outcomes.merge(o.name(), 1, Integer::sum);
          assertAsJackson(rule, before, json, o);
          if (o == Outcome.UNSURE && readable(before, json)) {
            outcomes.merge("UNSURE of a row Jackson reads", 1, Integer::sum);
          }
          comparison.compare(rule, json, before, whole, screened);
        }
      }
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.println(
        "FlatRowScannerDifferentialTest: scanner "
            + outcomes
            + ", decoder "
            + comparison
            + ", "
            + ms
            + " ms");
    for (Outcome o : Outcome.values()) {
      // the seeds are Defender rows: Windows names come only from a mutation, and the Windows
      // records' handover is JsonScreenDifferentialTest's
      if (o != Outcome.WINDOWS) {
        assertTrue(outcomes.getOrDefault(o.name(), 0) >= 500, outcomes.toString());
      }
    }
    assertTrue(
        outcomes.getOrDefault("UNSURE of a row Jackson reads", 0) >= 300, outcomes.toString());
    assertTrue(comparison.seen("dead letter: invalid-json") >= 500, comparison.toString());
    assertTrue(comparison.seen("dead letter: bad-field") >= 100, comparison.toString());
    assertTrue(comparison.seen("dead letter: missing-field") >= 50, comparison.toString());
    assertTrue(comparison.seen("dead letter: bad-timestamp") >= 50, comparison.toString());
    assertTrue(comparison.seen("screened out: defender") >= 2_000, comparison.toString());
    assertTrue(comparison.seen("read whole: defender") >= 1_000, comparison.toString());
    assertTrue(comparison.seen("match") >= 300, comparison.toString());
  }

  private static boolean readable(LegacyJsonInputDecoder before, byte[] json) {
    try {
      before.decode(json);
      return true;
    } catch (DecodeException e) {
      return false;
    }
  }

  /** What the scanner answered for itself is what Jackson reads of the row. */
  private static void assertAsJackson(
      Rule rule, LegacyJsonInputDecoder before, byte[] json, Outcome o) {
    if (o == Outcome.UNSURE) {
      return;
    }

    String shown = new String(json, UTF_8);
    if (o == Outcome.WINDOWS) {
      assertEquals(JsonInputDecoder.Family.WINDOWS, firstFamily(json), shown);
      return;
    }
    Decoded d;
    try {
      d = before.decode(json);
    } catch (DecodeException e) {
      throw new AssertionError(
          o + " but Jackson says " + e.reason() + ": " + e.getMessage() + " for " + shown, e);
    }
    assertEquals("json", d.format(), shown);
    ProcessEvent e = d.events().get(0);
    assertEquals(
        o == Outcome.MAY_MATCH,
        rule.mayMatch(
            e.fileName(), e.initiatingProcessFileName(), e.initiatingProcessParentFileName()),
        shown);
  }

  /** The family of the first top-level name that has one, as Jackson reads the names. */
  private static JsonInputDecoder.Family firstFamily(byte[] json) {
    try (JsonParser p = MAPPER.getFactory().createParser(json)) {
      assertEquals(JsonToken.START_OBJECT, p.nextToken());
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        JsonInputDecoder.Family family = JsonInputDecoder.familyOf(p.currentName());
        if (family != JsonInputDecoder.Family.NONE) {
          return family;
        }
        p.nextToken();
        p.skipChildren();
      }
      return JsonInputDecoder.Family.NONE;
    } catch (IOException e) {
      throw new AssertionError("Jackson cannot read the names before the first family's", e);
    }
  }

  // ---- the rows

  private static List<JsonNode> seedRows() throws IOException {
    EventFactory factory = new EventFactory(1818);
    long t = 1_772_359_200_000_000L;
    EventFactory.Spawn[] spawns = {
      factory.benign(),
      factory.benign(),
      factory.benign(),
      new EventFactory.Spawn("svchost.exe", "w3wp.exe", "cmd.exe", "cmd.exe /c whoami", "pool"),
      new EventFactory.Spawn("w3wp.exe", "cmd.exe", "powershell.exe", "powershell ipconfig", "p"),
      new EventFactory.Spawn("services.exe", "java.exe", "cmd.exe", "cmd /c whoami", "tomcat"),
      new EventFactory.Spawn("java.exe", "cmd.exe", "cmd.exe", "cmd /c ping x", "tomcat"),
      new EventFactory.Spawn("services.exe", "Tomcat9.exe", "cmd.exe", "cmd /c net user", "t"),
      new EventFactory.Spawn("explorer.exe", "cmd.exe", "chrome.exe", "chrome.exe", "jdoe"),
      new EventFactory.Spawn("userinit.exe", "explorer.exe", "cmd.exe", "cmd /c whoami", "jdoe")
    };
    List<JsonNode> out = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      out.add(
          MAPPER.readTree(
              EventJson.toJson(factory.event(t + i, i % 7, spawns[i % spawns.length]))));
    }
    return out;
  }

  /** The row written again token by token with random changes, then perhaps broken as bytes. */
  private static byte[] mutated(Random r, JsonNode row) {
    double rate = r.nextInt(3) == 0 ? 0 : 0.0005 + r.nextDouble() * 0.006;
    Writer w = new Writer(r, rate);
    w.ws();
    w.object(row, 1);
    w.ws();
    byte[] b = w.out.toByteArray();
    switch (r.nextInt(30)) {
      case 0 -> b = Arrays.copyOf(b, r.nextInt(b.length)); // truncated
      case 1 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8)); // a bit flipped
      case 2 -> b[r.nextInt(b.length)] = (byte) r.nextInt(256); // a byte replaced
      case 3 -> { // a byte inserted
        int at = r.nextInt(b.length + 1);
        byte[] c = new byte[b.length + 1];
        System.arraycopy(b, 0, c, 0, at);
        c[at] = (byte) r.nextInt(256);
        System.arraycopy(b, at, c, at + 1, b.length - at);
        b = c;
      }
      case 4 ->
          b = concat(b, List.of(" x", "{}", ",", "\u0000", "]").get(r.nextInt(5)).getBytes(UTF_8));
      case 5 -> b = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, b); // a BOM
      default -> {}
    }
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Writes JSON by hand, so that it can write what no JSON library writes. */
  private static final class Writer {
    private final Random r;
    private final double rate;
    final ByteArrayOutputStream out = new ByteArrayOutputStream(2048);

    Writer(Random r, double rate) {
      this.r = r;
      this.rate = rate;
    }

    private boolean now() {
      return r.nextDouble() < rate;
    }

    private void raw(String s) {
      out.writeBytes(s.getBytes(UTF_8));
    }

    private void bytes(int... b) {
      for (int x : b) {
        out.write(x);
      }
    }

    /** Whitespace between tokens: usually none, sometimes JSON's, rarely something else. */
    void ws() {
      boolean odd = now();
      if (!odd && r.nextInt(20) != 0) {
        return;
      }
      int n = 1 + r.nextInt(3);
      for (int i = 0; i < n; i++) {
        switch (r.nextInt(odd && r.nextInt(3) == 0 ? 14 : 4)) {
          case 0 -> raw(" ");
          case 1 -> raw("\t");
          case 2 -> raw("\n");
          case 3 -> raw("\r");
          case 4 -> raw("\f");
          case 5 -> bytes(0x0B);
          case 6 -> bytes(0xC2, 0xA0); // NBSP
          case 7 -> bytes(0xC2, 0x85); // NEL
          case 8 -> bytes(0xE2, 0x80, 0xA8); // LINE SEPARATOR
          case 9 -> bytes(0xE3, 0x80, 0x80); // IDEOGRAPHIC SPACE
          case 10 -> bytes(0);
          case 11 -> bytes(0xEF, 0xBB, 0xBF);
          case 12 -> raw("/* */");
          default -> bytes(0x1C);
        }
      }
    }

    void object(JsonNode n, int depth) {
      raw("{");
      ws();
      boolean first = true;
      for (Map.Entry<String, JsonNode> m : n.properties()) {
        if (now() && r.nextInt(3) == 0) {
          continue; // dropped
        }
        if (!first) {
          raw(",");
          ws();
        }
        first = false;
        if (depth == 1 && now()) {
          // the same column twice, either copy odd
          String key = r.nextBoolean() ? m.getKey() : COLUMNS[r.nextInt(COLUMNS.length)];
          boolean oddFirst = r.nextBoolean();
          member(key, oddFirst ? null : m.getValue(), depth);
          raw(",");
          ws();
          member(key, oddFirst ? m.getValue() : null, depth);
        } else {
          member(
              now() ? COLUMNS[r.nextInt(COLUMNS.length)] : m.getKey(),
              now() ? null : m.getValue(),
              depth);
        }
        ws();
      }
      if (now()) {
        raw(first ? "" : ",");
        member(COLUMNS[r.nextInt(COLUMNS.length)], null, depth);
      }
      raw("}");
    }

    /** A member; an odd value when {@code value} is null. */
    private void member(String key, JsonNode value, int depth) {
      name(key);
      ws();
      raw(":");
      ws();
      if (value == null) {
        odd(depth);
      } else if (value.isObject()) {
        object(value, depth + 1);
      } else if (value.isTextual()) {
        string(value.asText());
      } else {
        raw(value.toString());
      }
    }

    private void name(String key) {
      if (!now()) {
        raw("\"" + key + "\"");
        return;
      }
      switch (r.nextInt(5)) {
        case 0 -> { // one character escaped
          int i = key.isEmpty() ? 0 : r.nextInt(key.length());
          raw("\"" + key.substring(0, i));
          if (i < key.length()) {
            raw(String.format("\\u%04x", (int) key.charAt(i)) + key.substring(i + 1));
          }
          raw("\"");
        }
        case 1 -> raw("\"" + key + "\u00e9\"");
        case 2 -> raw("\"\uff26ileName\"");
        case 3 -> {
          raw("\"" + key);
          utf8Sequence();
          raw("\"");
        }
        default -> raw("\"" + key + "\\n\"");
      }
    }

    /** A string, perhaps with an escape, a UTF-8 sequence or a control character added. */
    private void string(String s) {
      // one change at a random place, about once in twenty of the token rate per character
      int at = r.nextDouble() < rate / 20 * (s.length() + 1) ? r.nextInt(s.length() + 1) : -1;
      raw("\"");
      if (at < 0) {
        escaped(s);
      } else {
        escaped(s.substring(0, at));
        extra();
        escaped(s.substring(at));
      }
      raw("\"");
    }

    private void escaped(String s) {
      StringBuilder b = new StringBuilder(s.length() + 8);
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          b.append('\\').append(c);
        } else if (c < 0x20) {
          b.append(String.format("\\u%04x", (int) c));
        } else {
          b.append(c);
        }
      }
      raw(b.toString());
    }

    private void extra() {
      switch (r.nextInt(4)) {
        case 0 -> raw(ESCAPES[r.nextInt(ESCAPES.length)]);
        case 1 -> bytes(r.nextInt(0x20));
        default -> utf8Sequence();
      }
    }

    /** A UTF-8 sequence: valid most of the time, else a malformed one. */
    private void utf8Sequence() {
      if (r.nextInt(3) == 0) {
        bytes(INVALID_UTF8[r.nextInt(INVALID_UTF8.length)]);
        return;
      }
      int cp;
      do {
        cp =
            switch (r.nextInt(4)) {
              case 0 -> 0x80 + r.nextInt(0x800 - 0x80);
              case 1 -> 0x800 + r.nextInt(0x10000 - 0x800);
              case 2 -> 0x10000 + r.nextInt(0x110000 - 0x10000);
              default ->
                  new int[] {0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF}
                      [r.nextInt(8)];
            };
      } while (cp >= 0xD800 && cp <= 0xDFFF);
      out.writeBytes(new String(Character.toChars(cp)).getBytes(UTF_8));
    }

    /** A value a decoder may not expect here. */
    private void odd(int depth) {
      switch (r.nextInt(12)) {
        case 0, 1 -> string(FILE_NAMES[r.nextInt(FILE_NAMES.length)]);
        case 2 -> raw(VALID_NUMBERS[r.nextInt(VALID_NUMBERS.length)]);
        case 3 -> raw(INVALID_NUMBERS[r.nextInt(INVALID_NUMBERS.length)]);
        case 4 -> raw(randomNumber());
        case 5 -> raw(LITERALS[r.nextInt(LITERALS.length)]);
        case 6 -> nested(depth, 1 + r.nextInt(40));
        case 7 ->
            string(
                List.of(
                        "2026-03-01T10:00:00.1234567Z",
                        "2026-02-30T00:00:00Z",
                        "2026-03-01T11:00:00+01:00",
                        "yesterday",
                        "")
                    .get(r.nextInt(5)));
        case 8 -> {
          raw("\"a");
          extra();
          raw("\"");
        }
        case 9 -> string(List.of("12", " 7 ", "", "x").get(r.nextInt(4)));
        case 10 -> raw("\"" + "x".repeat(r.nextInt(200)) + "\"");
        default -> raw("\"\"");
      }
    }

    /** Nested arrays and objects {@code levels} deep, with a few values along the way. */
    private void nested(int depth, int levels) {
      if (levels == 0) {
        odd(depth);
        return;
      }
      if (r.nextBoolean()) {
        raw("[");
        ws();
        if (r.nextInt(4) != 0) {
          raw(r.nextBoolean() ? "1," : "\"s\",");
        }
        nested(depth + 1, levels - 1);
        ws();
        raw("]");
      } else {
        raw("{");
        ws();
        raw("\"k\":");
        nested(depth + 1, levels - 1);
        raw("}");
      }
    }

    /** A number built from the parts of JSON's grammar, each sometimes wrong. */
    private String randomNumber() {
      StringBuilder b = new StringBuilder();
      if (r.nextInt(3) == 0) {
        b.append(r.nextInt(8) == 0 ? "+" : "-");
      }
      int digits = r.nextInt(10) == 0 ? 90 + r.nextInt(20) : 1 + r.nextInt(21);
      b.append(r.nextInt(6) == 0 ? '0' : (char) ('1' + r.nextInt(9)));
      for (int i = 1; i < digits; i++) {
        b.append((char) ('0' + r.nextInt(10)));
      }
      if (r.nextInt(4) == 0) {
        b.append('.');
        int f = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(5);
        for (int i = 0; i < f; i++) {
          b.append((char) ('0' + r.nextInt(10)));
        }
      }
      if (r.nextInt(4) == 0) {
        b.append(r.nextBoolean() ? 'e' : 'E');
        if (r.nextBoolean()) {
          b.append(r.nextBoolean() ? '+' : '-');
        }
        int e = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(3);
        for (int i = 0; i < e; i++) {
          b.append((char) ('0' + r.nextInt(10)));
        }
      }
      return b.toString();
    }
  }
}
