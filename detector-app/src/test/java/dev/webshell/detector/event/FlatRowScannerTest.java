package dev.webshell.detector.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webshell.detector.event.FlatRowScanner.Outcome;
import dev.webshell.detector.generator.EventFactory;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link FlatRowScanner}, one acceptance rule of its Javadoc and its edge per test. Every case is
 * also given to the rule-aware {@link JsonInputDecoder} and to {@link LegacyJsonInputDecoder} (the
 * decoder before the screen) through {@link ScreenComparison}: whatever the scanner answers, the
 * decoder must answer as before.
 */
class FlatRowScannerTest {
  private static final Rule KQL = new Rule(RuleFiles.builtIn("kql"));
  private static final Rule HARDENED = new Rule(RuleFiles.builtIn("hardened"));

  private static final String TIMESTAMP = "\"2026-03-01T10:00:00.1234560Z\"";

  private final ScreenComparison comparison = new ScreenComparison();

  /** A row the kql rule screens out, its members as raw JSON values, in order. */
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static Map<String, byte[]> base() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("Timestamp", raw(TIMESTAMP));
    m.put("DeviceId", raw("\"d1\""));
    m.put("DeviceName", raw("\"web00001.contoso.local\""));
    m.put("FileName", raw("\"chrome.exe\""));
    m.put("ProcessCommandLine", raw("\"chrome.exe --type=renderer\""));
    m.put("InitiatingProcessFileName", raw("\"explorer.exe\""));
    m.put("InitiatingProcessParentFileName", raw("\"userinit.exe\""));
    m.put("InitiatingProcessCommandLine", raw("\"explorer.exe\""));
    m.put("ReportId", raw("7"));
    m.put("ProcessId", raw("4242"));
    m.put("AccountName", raw("\"jdoe\""));
    m.put("SHA1", raw("\"da39a3ee5e6b4b0d3255bfef95601890afd80709\""));
    return m;
  }

  private static byte[] raw(String s) {
    return s.getBytes(UTF_8);
  }

  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** A string value: {@code "prefix<bytes>suffix"}. */
  private static byte[] stringOf(byte[] middle) {
    return concat(raw("\"a"), middle, raw("b\""));
  }

  private static byte[] row(Map<String, byte[]> members) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(raw("{"));
    boolean first = true;
    for (Map.Entry<String, byte[]> m : members.entrySet()) {
      out.writeBytes(raw(first ? "\"" : ",\""));
      first = false;
      out.writeBytes(raw(m.getKey()));
      out.writeBytes(raw("\":"));
      out.writeBytes(m.getValue());
    }
    out.writeBytes(raw("}"));
    return out.toByteArray();
  }

  /** The base row with {@code name}'s value replaced (or the member added at the end). */
  private static byte[] with(String name, byte[] value) {
    Map<String, byte[]> m = base();
    m.put(name, value);
    return row(m);
  }

  private static byte[] with(String name, String value) {
    return with(name, raw(value));
  }

  /** The base row with {@code name} removed. */
  private static byte[] without(String name) {
    Map<String, byte[]> m = base();
    m.remove(name);
    return row(m);
  }

  /** The base row followed by {@code members} (raw JSON, each starting with its comma). */
  private static byte[] plus(String members) {
    byte[] b = row(base());
    return concat(java.util.Arrays.copyOf(b, b.length - 1), raw(members + "}"));
  }

  /** The scanner's answer, and the decoder against the decoder before the screen. */
  private Outcome scan(Rule rule, InputFormat format, byte[] json) {
    FlatRowScanner scanner = new FlatRowScanner(json);
    Outcome outcome = scanner.scan(rule, format == InputFormat.DEFENDER);
    comparison.compare(
        rule,
        json,
        new LegacyJsonInputDecoder(format),
        new JsonInputDecoder(format),
        new JsonInputDecoder(format, rule));
    if (outcome == Outcome.SCREENED_OUT) {
      // what the scanner kept is what the decoder before the screen read
      ProcessEvent full = new LegacyJsonInputDecoder(format).decode(json).events().get(0);
      ProcessEvent got = scanner.event();
      assertEquals(full.timestampMicros(), got.timestampMicros());
      assertEquals(full.deviceId(), got.deviceId());
      assertEquals(full.reportId(), got.reportId());
      assertEquals(full.processId(), got.processId());
      assertNull(got.fileName());
      assertNull(got.processCommandLine());
    }
    return outcome;
  }

  private void assertScan(Outcome expected, byte[] json) {
    assertScan(expected, KQL, InputFormat.JSON, json);
  }

  private void assertScan(Outcome expected, Rule rule, InputFormat format, byte[] json) {
    assertEquals(expected, scan(rule, format, json), () -> new String(json, UTF_8));
  }

  /** What the decoder before the screen says: a dead letter's reason, or "ok". */
  private static String legacy(byte[] json) {
    try {
      new LegacyJsonInputDecoder(InputFormat.JSON).decode(json);
      return "ok";
    } catch (DecodeException e) {
      return e.reason();
    }
  }

  // ---- the base row, and what the screen reads of it

  @Test
  void shouldScreenOutAPlainRowAndKeepItsTimestampDeviceReportAndProcessIds() {
    FlatRowScanner scanner = new FlatRowScanner(row(base()));
    assertEquals(Outcome.SCREENED_OUT, scanner.scan(KQL, false));
    assertEquals("d1", scanner.event().deviceId());
    assertEquals(7L, scanner.event().reportId());
    assertEquals(4242L, scanner.event().processId());
    assertEquals(
        Timestamps.parseMicros("2026-03-01T10:00:00.123456Z"), scanner.event().timestampMicros());
    assertScan(Outcome.SCREENED_OUT, row(base()));
  }

  @Test
  void shouldSayMayMatchForCmdUnderW3wpAsInitiatingProcess() {
    Map<String, byte[]> m = base();
    m.put("FileName", raw("\"cmd.exe\""));
    m.put("ProcessCommandLine", raw("\"cmd.exe /c whoami\""));
    m.put("InitiatingProcessFileName", raw("\"w3wp.exe\""));
    assertScan(Outcome.MAY_MATCH, row(m));
  }

  @Test
  void shouldSayMayMatchForCmdUnderW3wpAsInitiatingParent() {
    Map<String, byte[]> m = base();
    m.put("FileName", raw("\"cmd.exe\""));
    m.put("InitiatingProcessFileName", raw("\"cmd.exe\""));
    m.put("InitiatingProcessParentFileName", raw("\"w3wp.exe\""));
    assertScan(Outcome.MAY_MATCH, row(m));
  }

  @Test
  void shouldSayMayMatchForAShellInAnyCaseBecauseInIgnoresCase() {
    Map<String, byte[]> m = base();
    m.put("FileName", raw("\"CMD.EXE\""));
    m.put("InitiatingProcessFileName", raw("\"w3wp.exe\""));
    assertScan(Outcome.MAY_MATCH, row(m));
  }

  @Test
  void shouldSayMayMatchForCmdUnderJavaWhenTheRuleHasJavaAsAConditionalWebServer() {
    Map<String, byte[]> m = base();
    m.put("FileName", raw("\"cmd.exe\""));
    m.put("InitiatingProcessFileName", raw("\"java.exe\""));
    m.put("InitiatingProcessCommandLine", raw("\"java -cp x Main\""));
    assertScan(Outcome.MAY_MATCH, HARDENED, InputFormat.JSON, row(m));
    // the seed rule knows no conditional web server
    assertScan(Outcome.SCREENED_OUT, KQL, InputFormat.JSON, row(m));
  }

  @Test
  void shouldScreenOutCmdUnderExplorer() {
    Map<String, byte[]> m = base();
    m.put("FileName", raw("\"cmd.exe\""));
    m.put("ProcessCommandLine", raw("\"cmd.exe /c whoami\""));
    assertScan(Outcome.SCREENED_OUT, row(m));
    assertScan(Outcome.SCREENED_OUT, HARDENED, InputFormat.JSON, row(m));
  }

  @Test
  void shouldScreenOutANullFileName() {
    assertScan(Outcome.SCREENED_OUT, with("FileName", "null"));
    assertScan(Outcome.SCREENED_OUT, without("FileName"));
  }

  // ---- whitespace and what surrounds the object

  @Test
  void shouldAcceptTheFourJsonWhitespaceCharactersAroundEveryToken() {
    String ws = " \t\r\n";
    byte[] json =
        raw(
            ws
                + "{"
                + ws
                + "\"Timestamp\""
                + ws
                + ":"
                + ws
                + TIMESTAMP
                + ws
                + ","
                + ws
                + "\"DeviceId\""
                + ws
                + ":"
                + ws
                + "\"d1\""
                + ws
                + ",\"X\":"
                + ws
                + "["
                + ws
                + "1"
                + ws
                + ","
                + ws
                + "{"
                + ws
                + "\"a\""
                + ws
                + ":"
                + ws
                + "true"
                + ws
                + "}"
                + ws
                + "]"
                + ws
                + ",\"ReportId\""
                + ws
                + ":"
                + ws
                + "5"
                + ws
                + "}"
                + ws);
    assertScan(Outcome.SCREENED_OUT, json);
  }

  @Test
  void shouldAcceptEmptyObjectsAndArraysWithWhitespaceInside() {
    assertScan(Outcome.SCREENED_OUT, with("X", "{ \n}"));
    assertScan(Outcome.SCREENED_OUT, with("X", "[\t]"));
  }

  @Test
  void shouldBeUnsureOfAFormFeedBetweenTokens() {
    assertScan(
        Outcome.UNSURE,
        concat(raw("{\f"), java.util.Arrays.copyOfRange(row(base()), 1, row(base()).length)));
    assertEquals(
        "invalid-json",
        legacy(
            concat(raw("{\f"), java.util.Arrays.copyOfRange(row(base()), 1, row(base()).length))));
  }

  @Test
  void shouldBeUnsureOfAVerticalTabAfterTheObject() {
    assertScan(Outcome.UNSURE, concat(row(base()), bytes(0x0b)));
  }

  @Test
  void shouldBeUnsureOfANoBreakSpaceBeforeAValue() {
    byte[] json = with("AccountName", concat(bytes(0xC2, 0xA0), raw("\"jdoe\"")));
    assertScan(Outcome.UNSURE, json);
    assertEquals("invalid-json", legacy(json));
  }

  // ---- the schema's column order, which the scanner expects first

  /** A generated row (columns in the schema's order) of {@code spawn}, its members reordered. */
  private static byte[] generated(EventFactory.Spawn spawn, boolean reversed) throws IOException {
    EventFactory factory = new EventFactory(5);
    String json = EventJson.toJson(factory.event(1_772_359_200_000_000L, 3, spawn));
    ObjectNode row = (ObjectNode) MAPPER.readTree(json);
    List<String> names = new ArrayList<>();
    row.fieldNames().forEachRemaining(names::add);
    if (reversed) {
      Collections.reverse(names);
    }
    ObjectNode out = MAPPER.createObjectNode();
    for (String n : names) {
      out.set(n, row.get(n));
    }
    return MAPPER.writeValueAsBytes(out);
  }

  @Test
  void shouldReadARowInTheSchemasOrderAsInTheReverseOrder() throws IOException {
    EventFactory.Spawn benign =
        new EventFactory.Spawn("userinit.exe", "explorer.exe", "chrome.exe", "chrome.exe", "jdoe");
    EventFactory.Spawn shell =
        new EventFactory.Spawn("svchost.exe", "w3wp.exe", "cmd.exe", "cmd.exe /c whoami", "pool");
    for (EventFactory.Spawn spawn : new EventFactory.Spawn[] {benign, shell}) {
      Outcome expected = spawn == benign ? Outcome.SCREENED_OUT : Outcome.MAY_MATCH;
      byte[] inOrder = generated(spawn, false);
      byte[] reversed = generated(spawn, true);
      assertScan(expected, inOrder);
      assertScan(expected, reversed);
      FlatRowScanner a = new FlatRowScanner(inOrder);
      FlatRowScanner b = new FlatRowScanner(reversed);
      a.scan(KQL, false);
      b.scan(KQL, false);
      assertEquals(a.event(), b.event());
    }
  }

  @Test
  void shouldNotTakeANameThatOnlyStartsWithTheExpectedColumn() {
    // after Timestamp the scanner expects DeviceId: DeviceIdentity is another column
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("Timestamp", raw(TIMESTAMP));
    m.put("DeviceIdentity", raw("\"other\""));
    m.put("DeviceId", raw("\"d1\""));
    m.put("FileName", raw("\"chrome.exe\""));
    assertScan(Outcome.SCREENED_OUT, row(m));
    FlatRowScanner scanner = new FlatRowScanner(row(m));
    scanner.scan(KQL, false);
    assertEquals("d1", scanner.event().deviceId());
    m.remove("DeviceId");
    assertScan(Outcome.UNSURE, row(m));
  }

  @Test
  void shouldBeUnsureOfARowCutInsideTheExpectedColumnOrSpellingItWithAnEscape() {
    String head = "{\"Timestamp\":" + TIMESTAMP + ",\"";
    for (String rest :
        new String[] {"Devic", "DeviceId", "DeviceId\"", "Device\\u0049d\":\"d1\"}"}) {
      byte[] json = raw(head + rest);
      assertScan(Outcome.UNSURE, json);
    }
  }

  @Test
  void shouldBeUnsureOfAControlCharacterRightAfterAColonOrAComma() {
    // the compact form ("a":"b","c") is read without a call for whitespace: a byte of ' ' or
    // below right after the colon or comma must still be whitespace to be accepted
    byte[] afterColon = with("AccountName", concat(bytes(0x01), raw("\"jdoe\"")));
    assertScan(Outcome.UNSURE, afterColon);
    assertEquals("invalid-json", legacy(afterColon));
    byte[] afterComma = plus(",\u0001\"X\":1");
    assertScan(Outcome.UNSURE, afterComma);
    assertEquals("invalid-json", legacy(afterComma));
  }

  @Test
  void shouldBeUnsureOfARecordThatEndsAtAColonOrAComma() {
    for (String end :
        new String[] {"{\"Timestamp\":", "{\"Timestamp\":\"x\",", "{\"a\"", "{\"a\":1,\""}) {
      assertScan(Outcome.UNSURE, raw(end));
      assertEquals("invalid-json", legacy(raw(end)));
    }
  }

  @Test
  void shouldBeUnsureOfANulByteAfterTheObject() {
    assertScan(Outcome.UNSURE, concat(row(base()), bytes(0)));
  }

  @Test
  void shouldAcceptTrailingWhitespace() {
    assertScan(Outcome.SCREENED_OUT, concat(row(base()), raw(" \r\n\t\n")));
  }

  @Test
  void shouldBeUnsureOfTrailingContent() {
    assertScan(Outcome.UNSURE, concat(row(base()), raw(" x")));
    assertScan(Outcome.UNSURE, concat(row(base()), raw("{}")));
    assertScan(Outcome.UNSURE, concat(row(base()), raw(",")));
    assertEquals("invalid-json", legacy(concat(row(base()), raw(" x"))));
  }

  @Test
  void shouldBeUnsureOfAByteOrderMarkWhichJacksonSkips() {
    byte[] json = concat(bytes(0xEF, 0xBB, 0xBF), row(base()));
    assertScan(Outcome.UNSURE, json);
    assertEquals("ok", legacy(json));
  }

  @Test
  void shouldBeUnsureOfWhatIsNotAnObject() {
    assertScan(Outcome.UNSURE, raw(""));
    assertScan(Outcome.UNSURE, raw("   "));
    assertScan(Outcome.UNSURE, raw("[]"));
    assertScan(Outcome.UNSURE, raw("{}"));
    assertScan(Outcome.UNSURE, raw("\"x\""));
    assertScan(Outcome.UNSURE, concat(raw("["), row(base()), raw("]")));
  }

  @Test
  void shouldBeUnsureOfATruncatedRowAtEveryLength() {
    byte[] full = row(base());
    for (int n = 0; n < full.length; n++) {
      assertScan(Outcome.UNSURE, java.util.Arrays.copyOf(full, n));
    }
  }

  @Test
  void shouldBeUnsureOfTrailingCommasAndMissingCommas() {
    assertScan(Outcome.UNSURE, plus(","));
    assertScan(Outcome.UNSURE, with("X", "[1,]"));
    assertScan(Outcome.UNSURE, with("X", "{\"a\":1,}"));
    assertScan(Outcome.UNSURE, with("X", "[1 2]"));
    assertScan(Outcome.UNSURE, with("X", "{\"a\" 1}"));
    assertScan(Outcome.UNSURE, plus(" \"Y\":1"));
  }

  // ---- numbers

  @Test
  void shouldReadZeroAndMinusZeroReportIdsAsZero() {
    assertScan(Outcome.SCREENED_OUT, with("ReportId", "0"));
    assertScan(Outcome.SCREENED_OUT, with("ReportId", "-0"));
    FlatRowScanner scanner = new FlatRowScanner(with("ReportId", "-0"));
    scanner.scan(KQL, false);
    assertEquals(0L, scanner.event().reportId());
  }

  @Test
  void shouldReadNegativeProcessIds() {
    assertScan(Outcome.SCREENED_OUT, with("ProcessId", "-17"));
  }

  @Test
  void shouldBeUnsureOfLeadingZeros() {
    assertScan(Outcome.UNSURE, with("ReportId", "007"));
    assertScan(Outcome.UNSURE, with("ReportId", "-01"));
    assertScan(Outcome.UNSURE, with("ReportId", "00"));
    assertScan(Outcome.UNSURE, with("AccountName", "01.5"));
    assertScan(Outcome.UNSURE, with("X", "[00]"));
    assertEquals("invalid-json", legacy(with("ReportId", "007")));
  }

  @Test
  void shouldReadAnEighteenDigitReportId() {
    assertScan(Outcome.SCREENED_OUT, with("ReportId", "999999999999999999"));
    assertScan(Outcome.SCREENED_OUT, with("ReportId", "-999999999999999999"));
    FlatRowScanner scanner = new FlatRowScanner(with("ReportId", "999999999999999999"));
    scanner.scan(KQL, false);
    assertEquals(999_999_999_999_999_999L, scanner.event().reportId());
  }

  @Test
  void shouldBeUnsureOfANineteenDigitReportIdEvenWhenItFitsALong() {
    assertScan(Outcome.UNSURE, with("ReportId", "1000000000000000000"));
    assertEquals("ok", legacy(with("ReportId", "1000000000000000000")));
    assertScan(Outcome.UNSURE, with("ReportId", "9223372036854775807"));
    assertScan(Outcome.UNSURE, with("ProcessId", "9223372036854775808"));
    assertEquals("bad-field", legacy(with("ProcessId", "9223372036854775808")));
  }

  @Test
  void shouldBeUnsureOfFractionsAndExponentsInReportIdAndProcessId() {
    for (String n : new String[] {"1.0", "1.5", "1e3", "1E3", "1e+3", "-2.5e-3", "0.0"}) {
      assertScan(Outcome.UNSURE, with("ReportId", n));
      assertScan(Outcome.UNSURE, with("ProcessId", n));
      assertEquals("bad-field", legacy(with("ReportId", n)), n);
    }
  }

  @Test
  void shouldAcceptFractionsAndExponentsInOtherColumns() {
    for (String n :
        new String[] {"1.0", "1.5", "1e3", "1E3", "1e+3", "-2.5e-3", "0.0", "0e0", "-0", "1e400"}) {
      assertScan(Outcome.SCREENED_OUT, with("AccountName", n));
      assertScan(Outcome.SCREENED_OUT, with("X", n));
      assertScan(Outcome.SCREENED_OUT, with("X", "[" + n + "]"));
    }
  }

  @Test
  void shouldBeUnsureOfNumbersOutsideJsonsGrammar() {
    for (String n :
        new String[] {
          "1.",
          ".5",
          "+1",
          "1e",
          "1e+",
          "1E-",
          "-",
          "--1",
          "0x1a",
          "NaN",
          "Infinity",
          "-Infinity",
          "1.e3",
          "1..2",
          "1e3.5",
          "1-"
        }) {
      assertScan(Outcome.UNSURE, with("AccountName", n));
      assertScan(Outcome.UNSURE, with("X", n));
      assertScan(Outcome.UNSURE, with("ReportId", n));
    }
  }

  @Test
  void shouldAcceptANumberOfAHundredCharactersAndBeUnsureOfALongerOne() {
    String hundred = "1" + "0".repeat(JsonCursor.MAX_NUMBER_LENGTH - 1);
    assertScan(Outcome.SCREENED_OUT, with("X", hundred));
    assertScan(Outcome.SCREENED_OUT, with("X", "1." + "5".repeat(98)));
    assertScan(Outcome.UNSURE, with("X", hundred + "0"));
    assertEquals("ok", legacy(with("X", hundred + "0")));
  }

  @Test
  void shouldBeUnsureOfAReportIdWrittenAsAString() {
    assertScan(Outcome.UNSURE, with("ReportId", "\"12\""));
    assertScan(Outcome.UNSURE, with("ReportId", "\"\""));
    assertScan(Outcome.UNSURE, with("ProcessId", "\"x\""));
  }

  // ---- literals

  @Test
  void shouldAcceptTrueFalseAndNullInScalarAndUnknownColumns() {
    for (String l : new String[] {"true", "false", "null"}) {
      assertScan(Outcome.SCREENED_OUT, with("AccountName", l));
      assertScan(Outcome.SCREENED_OUT, with("X", l));
      assertScan(Outcome.SCREENED_OUT, with("X", "[" + l + "," + l + "]"));
    }
  }

  @Test
  void shouldAcceptNullReportIdAndProcessId() {
    assertScan(Outcome.SCREENED_OUT, with("ReportId", "null"));
    assertScan(Outcome.SCREENED_OUT, with("ProcessId", "null"));
    FlatRowScanner scanner = new FlatRowScanner(with("ReportId", "null"));
    scanner.scan(KQL, false);
    assertNull(scanner.event().reportId());
  }

  @Test
  void shouldBeUnsureOfBooleansInReportIdAndInFileNames() {
    assertScan(Outcome.UNSURE, with("ReportId", "true"));
    assertScan(Outcome.UNSURE, with("ProcessId", "false"));
    assertScan(Outcome.UNSURE, with("FileName", "true"));
    assertScan(Outcome.UNSURE, with("FileName", "12"));
    assertScan(Outcome.UNSURE, with("DeviceId", "12"));
    assertEquals("ok", legacy(with("FileName", "true")));
  }

  @Test
  void shouldBeUnsureOfTruncatedAndExtendedLiterals() {
    for (String l :
        new String[] {
          "nul", "nullx", "null1", "nulll", "tru", "truee", "fals", "falsey", "NULL", "True", "n",
          "t", "f"
        }) {
      assertScan(Outcome.UNSURE, with("AccountName", l));
      assertScan(Outcome.UNSURE, with("X", l));
      assertScan(Outcome.UNSURE, with("X", "[" + l + "]"));
      assertScan(Outcome.UNSURE, with("ReportId", l));
      assertScan(Outcome.UNSURE, with("FileName", l));
    }
  }

  @Test
  void shouldBeUnsureOfALiteralCutByTheEndOfTheInput() {
    byte[] b = with("X", "null");
    assertScan(Outcome.UNSURE, java.util.Arrays.copyOf(b, b.length - 3));
  }

  // ---- nesting

  private static String nestedArrays(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  private static String nestedObjects(int depth) {
    return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
  }

  @Test
  void shouldAcceptValuesNestedUpToMaxDepthWithTheRowItself() {
    // the row is depth 1: its member's value may hold MAX_DEPTH - 1 levels
    assertScan(Outcome.SCREENED_OUT, with("X", nestedArrays(JsonCursor.MAX_DEPTH - 1)));
    assertScan(Outcome.SCREENED_OUT, with("X", nestedObjects(JsonCursor.MAX_DEPTH - 1)));
  }

  @Test
  void shouldBeUnsureOfValuesNestedBeyondMaxDepthThatJacksonStillReads() {
    assertScan(Outcome.UNSURE, with("X", nestedArrays(JsonCursor.MAX_DEPTH)));
    assertScan(Outcome.UNSURE, with("X", nestedObjects(JsonCursor.MAX_DEPTH)));
    assertEquals("ok", legacy(with("X", nestedArrays(JsonCursor.MAX_DEPTH))));
  }

  @Test
  void shouldBeUnsureOfValuesNestedBeyondJacksonsLimit() {
    int tooDeep = FlatJsonDecoder.MAX_NESTING_DEPTH; // plus the row: one level too many
    assertScan(Outcome.UNSURE, with("X", nestedArrays(tooDeep)));
    assertEquals("invalid-json", legacy(with("X", nestedArrays(tooDeep))));
    assertEquals("ok", legacy(with("X", nestedArrays(tooDeep - 1))));
  }

  @Test
  void shouldBeUnsureOfAnObjectOrArrayInAScalarColumn() {
    for (String column :
        new String[] {
          "DeviceName",
          "ProcessCommandLine",
          "InitiatingProcessCommandLine",
          "InitiatingProcessFolderPath",
          "FolderPath",
          "AccountName",
          "MachineGroup",
          "TenantId",
          "FileName",
          "InitiatingProcessFileName",
          "InitiatingProcessParentFileName",
          "DeviceId",
          "Timestamp",
          "ReportId",
          "ProcessId"
        }) {
      for (String v : new String[] {"{}", "[]", "[\"cmd.exe\"]", "{\"a\":1}"}) {
        assertScan(Outcome.UNSURE, with(column, v));
        assertEquals("bad-field", legacy(with(column, v)), column);
      }
    }
  }

  @Test
  void shouldAcceptObjectsAndArraysInUnknownColumns() {
    assertScan(
        Outcome.SCREENED_OUT,
        with("AdditionalFields", "{\"a\":[1,\"x\",{\"b\":[true,null,-1.5e3]}],\"c\":{}}"));
    assertScan(Outcome.SCREENED_OUT, with("X", "[\"cmd.exe\",\"/c\",\"whoami\"]"));
    assertScan(Outcome.SCREENED_OUT, with("records", "[]"));
  }

  // ---- escapes

  @Test
  void shouldAcceptEveryValidEscapeInAValueItSkips() {
    List<String> escapes = new ArrayList<>(JsonEscapes.VALID);
    escapes.add("C:\\\\Windows\\\\cmd.exe");
    for (String e : escapes) {
      assertScan(Outcome.SCREENED_OUT, with("ProcessCommandLine", "\"x" + e + "y\""));
      assertScan(Outcome.SCREENED_OUT, with("X", "\"" + e + "\""));
      assertScan(Outcome.SCREENED_OUT, with("X", "{\"a\":[\"" + e + "\"]}"));
    }
  }

  @Test
  void shouldBeUnsureOfInvalidEscapes() {
    String[] escapes = {
      "\\q", "\\x41", "\\U0041", "\\u12", "\\u12\"", "\\u12G4", "\\u", "\\'", "\\ "
    };
    for (String e : escapes) {
      byte[] json = with("ProcessCommandLine", "\"x" + e + "y\"");
      assertScan(Outcome.UNSURE, json);
      assertEquals("invalid-json", legacy(json), e);
      assertScan(Outcome.UNSURE, with("X", "\"" + e + "\""));
    }
  }

  @Test
  void shouldBeUnsureOfABackslashCutByTheEndOfTheInput() {
    assertScan(Outcome.UNSURE, raw("{\"Timestamp\":\"\\"));
    assertScan(Outcome.UNSURE, raw("{\"Timestamp\":" + TIMESTAMP + ",\"X\":\"\\"));
    assertScan(Outcome.UNSURE, raw("{\"Timestamp\":" + TIMESTAMP + ",\"X\":\"\\u00"));
  }

  @Test
  void shouldBeUnsureOfAnEscapeInAColumnTheScreenReads() {
    for (String column :
        new String[] {
          "Timestamp",
          "DeviceId",
          "FileName",
          "InitiatingProcessFileName",
          "InitiatingProcessParentFileName"
        }) {
      assertScan(Outcome.UNSURE, with(column, "\"\\u0063md.exe\""));
      assertScan(Outcome.UNSURE, with(column, "\"C:\\\\w\\\\cmd.exe\""));
    }
    // the same name decoded by Jackson may match: the scanner must not answer for it
    Map<String, byte[]> m = base();
    m.put("FileName", raw("\"\\u0063md.exe\""));
    m.put("InitiatingProcessFileName", raw("\"w3wp.exe\""));
    assertScan(Outcome.UNSURE, row(m));
  }

  @Test
  void shouldBeUnsureOfAnEscapedColumnName() {
    assertScan(Outcome.UNSURE, plus(",\"File\\u004eame\":\"cmd.exe\""));
    assertScan(Outcome.UNSURE, plus(",\"X\\n\":1"));
    assertScan(Outcome.UNSURE, with("X", "{\"a\\u0062\":1}"));
  }

  @Test
  void shouldBeUnsureOfANonAsciiColumnName() {
    assertScan(Outcome.UNSURE, plus(",\"Nämé\":1"));
    assertScan(Outcome.UNSURE, plus(",\"\uff26ileName\":\"cmd.exe\""));
    assertScan(Outcome.UNSURE, with("X", "{\"ä\":1}"));
  }

  @Test
  void shouldBeUnsureOfAColumnNameLongerThanJacksonReads() {
    // Jackson's StreamReadConstraints default maxNameLength: the row is a dead letter there
    String name = "X".repeat(50_001);
    assertEquals("invalid-json", legacy(plus(",\"" + name + "\":1")));
    assertScan(Outcome.UNSURE, plus(",\"" + name + "\":1"));
    assertScan(Outcome.UNSURE, with("AdditionalFields", "{\"" + name + "\":1}"));
  }

  @Test
  void shouldAcceptColumnNamesUpToMaxNameLengthAndLeaveLongerOnesToJackson() {
    String longest = "X".repeat(JsonCursor.MAX_NAME_LENGTH);
    assertScan(Outcome.SCREENED_OUT, plus(",\"" + longest + "\":1"));
    assertScan(Outcome.SCREENED_OUT, with("AdditionalFields", "{\"" + longest + "\":1}"));
    assertScan(Outcome.UNSURE, plus(",\"" + longest + "X\":1"));
    String jacksons = "X".repeat(50_000); // Jackson's longest name: read by Jackson, as before
    assertEquals("ok", legacy(plus(",\"" + jacksons + "\":1")));
    assertScan(Outcome.UNSURE, plus(",\"" + jacksons + "\":1"));
  }

  @Test
  void shouldAcceptAnEmptyColumnNameAfterTheFirst() {
    assertScan(Outcome.SCREENED_OUT, plus(",\"\":1"));
  }

  // ---- UTF-8

  private static final int[][] VALID_UTF8 = {
    {0xC2, 0x80}, // U+0080
    {0xC3, 0xA9}, // é
    {0xDF, 0xBF}, // U+07FF
    {0xE0, 0xA0, 0x80}, // U+0800
    {0xE2, 0x82, 0xAC}, // €
    {0xED, 0x9F, 0xBF}, // U+D7FF, the last before the surrogates
    {0xEE, 0x80, 0x80}, // U+E000, the first after them
    {0xEF, 0xBF, 0xBF}, // U+FFFF
    {0xF0, 0x90, 0x80, 0x80}, // U+10000
    {0xF0, 0x9F, 0x98, 0x80}, // 😀
    {0xF3, 0xBF, 0xBF, 0xBF},
    {0xF4, 0x8F, 0xBF, 0xBF} // U+10FFFF
  };

  private static final int[][] INVALID_UTF8 = {
    {0xC0, 0xAF}, // overlong '/'
    {0xC1, 0xBF}, // overlong
    {0xE0, 0x80, 0xAF}, // overlong '/'
    {0xE0, 0x9F, 0xBF}, // overlong U+07FF
    {0xED, 0xA0, 0x80}, // encoded surrogate U+D800
    {0xED, 0xBF, 0xBF}, // encoded surrogate U+DFFF
    {0xF0, 0x8F, 0xBF, 0xBF}, // overlong U+FFFF
    {0xF4, 0x90, 0x80, 0x80}, // U+110000
    {0xF5, 0x80, 0x80, 0x80}, // F5 lead
    {0xF8, 0x88, 0x80, 0x80, 0x80},
    {0xFE},
    {0xFF},
    {0x80}, // lone continuation
    {0xBF},
    {0xC3}, // truncated before the closing quote
    {0xE2, 0x82},
    {0xF0, 0x9F, 0x98},
    {0xC3, 0x41}, // a lead and no continuation
    {0xE2, 0x28, 0xA1},
    {0xF0, 0x9F, 0x28, 0x80},
    {0xC3, 0xA9, 0xA9} // a continuation too many
  };

  private static byte[] utf8(int[] seq) {
    return bytes(seq);
  }

  @Test
  void shouldAcceptStrictlyValidUtf8OfTwoThreeAndFourBytes() {
    for (int[] seq : VALID_UTF8) {
      assertScan(Outcome.SCREENED_OUT, with("ProcessCommandLine", stringOf(utf8(seq))));
      assertScan(Outcome.SCREENED_OUT, with("X", stringOf(utf8(seq))));
      assertScan(Outcome.SCREENED_OUT, with("X", concat(raw("\""), utf8(seq), raw("\""))));
      // eight-byte reads: the sequence at every offset of a word
      for (int pad = 0; pad < 8; pad++) {
        assertScan(
            Outcome.SCREENED_OUT,
            with("X", concat(raw("\"" + "p".repeat(pad)), utf8(seq), raw("q\""))));
      }
    }
  }

  @Test
  void shouldBeUnsureOfOverlongSurrogateTooHighTruncatedAndLoneContinuationBytes() {
    for (int[] seq : INVALID_UTF8) {
      for (int pad = 0; pad < 8; pad++) {
        assertScan(
            Outcome.UNSURE,
            with("ProcessCommandLine", concat(raw("\"" + "p".repeat(pad)), utf8(seq), raw("\""))));
      }
      assertScan(Outcome.UNSURE, with("X", stringOf(utf8(seq))));
    }
  }

  @Test
  void shouldBeUnsureOfAMultiByteSequenceCutByTheEndOfTheInput() {
    for (int[] seq : VALID_UTF8) {
      byte[] b = concat(raw("{\"Timestamp\":" + TIMESTAMP + ",\"X\":\"a"), utf8(seq));
      for (int n = b.length - seq.length; n <= b.length; n++) {
        assertScan(Outcome.UNSURE, java.util.Arrays.copyOf(b, n));
      }
    }
  }

  @Test
  void shouldBeUnsureOfNonAsciiInAColumnTheScreenReads() {
    for (String column :
        new String[] {"DeviceId", "FileName", "InitiatingProcessFileName", "Timestamp"}) {
      assertScan(Outcome.UNSURE, with(column, "\"cmd.exé\""));
      assertScan(Outcome.UNSURE, with(column, "\"\uff43md.exe\""));
    }
  }

  @Test
  void shouldBeUnsureOfAControlCharacterInAString() {
    for (int c : new int[] {0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F}) {
      for (int pad = 0; pad < 8; pad++) {
        byte[] json =
            with("ProcessCommandLine", concat(raw("\"" + "p".repeat(pad)), bytes(c), raw("\"")));
        assertScan(Outcome.UNSURE, json);
        assertEquals("invalid-json", legacy(json));
      }
      assertScan(Outcome.UNSURE, with("DeviceId", stringOf(bytes(c))));
      assertScan(Outcome.UNSURE, plus(",\"X" + (char) c + "\":1"));
    }
  }

  @Test
  void shouldAcceptSpaceAndDeleteInStrings() {
    assertScan(Outcome.SCREENED_OUT, with("DeviceId", stringOf(bytes(0x20, 0x7F))));
    assertScan(Outcome.SCREENED_OUT, with("X", stringOf(bytes(0x7F))));
    assertScan(Outcome.SCREENED_OUT, plus(",\"X\u007f \":1"));
  }

  // ---- duplicate keys

  @Test
  void shouldKeepTheLastOfTwoFileNames() {
    Map<String, byte[]> m = base();
    m.put("InitiatingProcessFileName", raw("\"w3wp.exe\""));
    m.put("FileName", raw("\"cmd.exe\""));
    byte[] may = row(m);
    byte[] shellFirst =
        concat(java.util.Arrays.copyOf(may, may.length - 1), raw(",\"FileName\":\"chrome.exe\"}"));
    assertScan(Outcome.SCREENED_OUT, shellFirst);
    m.put("FileName", raw("\"chrome.exe\""));
    byte[] benign = row(m);
    byte[] shellLast =
        concat(
            java.util.Arrays.copyOf(benign, benign.length - 1), raw(",\"FileName\":\"cmd.exe\"}"));
    assertScan(Outcome.MAY_MATCH, shellLast);
  }

  @Test
  void shouldLetALaterNullWin() {
    Map<String, byte[]> m = base();
    m.put("InitiatingProcessFileName", raw("\"w3wp.exe\""));
    m.put("FileName", raw("\"cmd.exe\""));
    byte[] may = row(m);
    byte[] laterNull =
        concat(java.util.Arrays.copyOf(may, may.length - 1), raw(",\"FileName\":null}"));
    assertScan(Outcome.SCREENED_OUT, laterNull);
    byte[] laterNullParent =
        concat(
            java.util.Arrays.copyOf(may, may.length - 1),
            raw(",\"InitiatingProcessFileName\":null}"));
    assertScan(Outcome.SCREENED_OUT, laterNullParent);
    assertScan(Outcome.SCREENED_OUT, plus(",\"ReportId\":null"));
    FlatRowScanner scanner = new FlatRowScanner(plus(",\"ReportId\":null,\"ProcessId\":9"));
    scanner.scan(KQL, false);
    assertNull(scanner.event().reportId());
    assertEquals(9L, scanner.event().processId());
  }

  @Test
  void shouldBeUnsureWhenALaterDeviceIdOrTimestampIsNullOrEmpty() {
    assertScan(Outcome.UNSURE, plus(",\"DeviceId\":null"));
    assertScan(Outcome.UNSURE, plus(",\"DeviceId\":\"\""));
    assertScan(Outcome.UNSURE, plus(",\"Timestamp\":null"));
    assertScan(Outcome.SCREENED_OUT, plus(",\"DeviceId\":\"d2\""));
  }

  // ---- the first name, and the columns a row needs

  @Test
  void shouldTellTheFamilyByTheFirstNameOfOneAsTheDecoderDoesUnderJson() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("Foo", raw("1"));
    m.putAll(base());
    assertScan(Outcome.SCREENED_OUT, row(m)); // Timestamp, the first name of one, says Defender
    assertEquals(Outcome.SCREENED_OUT, new FlatRowScanner(row(m)).scan(KQL, true));
    assertScan(Outcome.SCREENED_OUT, KQL, InputFormat.DEFENDER, row(m));
    Map<String, byte[]> w = new LinkedHashMap<>();
    w.put("EventID", raw("1"));
    w.putAll(base());
    assertScan(Outcome.WINDOWS, row(w));
    Map<String, byte[]> later = new LinkedHashMap<>();
    later.put("Foo", raw("1"));
    later.put("Hostname", raw("\"h\""));
    later.putAll(base());
    assertScan(Outcome.WINDOWS, row(later)); // Hostname, the first name of one, says Windows
    assertScan(Outcome.SCREENED_OUT, KQL, InputFormat.DEFENDER, row(later));
    Map<String, byte[]> records = new LinkedHashMap<>();
    records.put("Foo", raw("1"));
    records.put("records", raw("[]"));
    records.putAll(base());
    assertScan(Outcome.SCREENED_OUT, row(records)); // not first: a Defender row's member
  }

  @Test
  void shouldAcceptAFirstNameThatSaysDefenderByItsPrefix() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("InitiatingProcessAccountName", raw("\"x\""));
    m.putAll(base());
    assertScan(Outcome.SCREENED_OUT, row(m));
    Map<String, byte[]> v = new LinkedHashMap<>();
    v.put("ProcessVersionInfoCompanyName", raw("\"Microsoft\""));
    v.putAll(base());
    assertScan(Outcome.SCREENED_OUT, row(v));
  }

  @Test
  void shouldBeUnsureOfRecordsAsTheFirstNameEvenWhenTheFormatSaysDefender() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("records", raw("[]"));
    m.putAll(base());
    assertEquals(Outcome.UNSURE, new FlatRowScanner(row(m)).scan(KQL, true));
    assertScan(Outcome.UNSURE, row(m));
    assertScan(Outcome.UNSURE, KQL, InputFormat.DEFENDER, row(m));
    byte[] envelope = raw("{\"records\":[{\"category\":\"x\",\"properties\":{}}]}");
    assertScan(Outcome.UNSURE, KQL, InputFormat.DEFENDER, envelope);
  }

  @Test
  void shouldBeUnsureOfAMissingOrEmptyDeviceId() {
    assertScan(Outcome.UNSURE, without("DeviceId"));
    assertScan(Outcome.UNSURE, with("DeviceId", "\"\""));
    assertScan(Outcome.UNSURE, with("DeviceId", "null"));
    assertEquals("missing-field", legacy(without("DeviceId")));
  }

  @Test
  void shouldBeUnsureOfAMissingOrNullTimestamp() {
    assertScan(Outcome.UNSURE, without("Timestamp"));
    assertScan(Outcome.UNSURE, with("Timestamp", "null"));
    assertEquals("missing-field", legacy(with("Timestamp", "null")));
  }

  @Test
  void shouldBeUnsureOfATimestampThatDoesNotParse() {
    for (String t :
        new String[] {
          "\"\"",
          "\"yesterday\"",
          "\"2026-02-30T00:00:00Z\"",
          "\"2026-03-01 10:00:00\"",
          "\"2026-03-01T24:00:00Z\"",
          "\"2026-03-01T10:00:00\""
        }) {
      assertScan(Outcome.UNSURE, with("Timestamp", t));
      assertEquals("bad-timestamp", legacy(with("Timestamp", t)), t);
    }
  }

  @Test
  void shouldReadATimestampWithAnOffsetAsJavaTimeDoes() {
    assertScan(Outcome.SCREENED_OUT, with("Timestamp", "\"2026-03-01T11:00:00.5+01:00\""));
  }

  @Test
  void shouldBeUnsureOfATimestampWrittenAsANumber() {
    assertScan(Outcome.UNSURE, with("Timestamp", "1772359200000"));
  }

  @Test
  void shouldLeaveEveryKindOfProblemToJacksonWhoWritesTheDeadLetter() {
    // a sanity check of the helper: the decoder answers with the legacy decoder's reason
    DecodeException e =
        assertThrows(
            DecodeException.class,
            () -> new JsonInputDecoder(InputFormat.JSON, KQL).decode(with("ReportId", "1.5")));
    assertEquals("bad-field", e.reason());
    assertInstanceOf(
        Decoded.class, new JsonInputDecoder(InputFormat.JSON, KQL).decode(row(base())));
  }
}
