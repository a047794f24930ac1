package dev.webshell.detector.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link WindowsFlatScanner}: which records it reads and which it leaves to Jackson; for every
 * record here the decoder with the scanner also answers as {@link LegacyJsonInputDecoder} does
 * ({@link ScreenComparison}).
 */
class WindowsFlatScannerTest {
  private static final Rule KQL = new Rule(RuleFiles.builtIn("kql"));
  private final ScreenComparison comparison = new ScreenComparison();

  private static List<String> sample(String name) throws IOException {
    return Files.readAllLines(Path.of("../samples", name)).stream()
        .filter(l -> !l.isBlank())
        .toList();
  }

  private static String sysmon() throws IOException {
    return sample("sysmon.jsonl").get(0);
  }

  /** The scanner's answer ({@code null}: unsure), after comparing the decoders on the record. */
  private WindowsEventDecoder.Result scan(InputFormat format, String json) {
    byte[] b = json.getBytes(UTF_8);
    comparison.compare(
        KQL,
        b,
        new LegacyJsonInputDecoder(format),
        new JsonInputDecoder(format),
        new JsonInputDecoder(format, KQL));
    return new WindowsFlatScanner(b).scan(new WindowsEventDecoder(format), format.isWindows());
  }

  /** The record with {@code members} (each ending with a comma) first. */
  private static String first(String json, String members) {
    return json.replaceFirst("^\\{", "{" + java.util.regex.Matcher.quoteReplacement(members));
  }

  /** The record with {@code members} (each starting with a comma) last. */
  private static String last(String json, String members) {
    return json.substring(0, json.lastIndexOf('}')) + members + "}";
  }

  private WindowsEventDecoder.Result scan(String json) {
    return scan(InputFormat.JSON, json);
  }

  @Test
  void shouldReadEveryFlatSysmonAnd4688SampleAsTheJacksonPathDoes() throws IOException {
    for (String line : sample("sysmon.jsonl")) {
      assertNotNull(scan(line), line);
      assertNotNull(scan(InputFormat.SYSMON, line), line);
    }
    for (String line : sample("security-4688.jsonl")) {
      assertNotNull(scan(line), line);
      assertNotNull(scan(InputFormat.WINDOWS_SECURITY, line), line);
    }
    assertEquals(0, comparison.seen("dead letter"), comparison.toString());
  }

  @Test
  void shouldLeaveTheNestedShapesOfWinlogbeatAndEcsToJackson() throws IOException {
    for (String line : sample("winlogbeat.jsonl")) {
      assertNull(scan(line), line);
    }
    for (String line : sample("ecs.jsonl")) {
      assertNull(scan(line), line);
      assertNull(scan(InputFormat.ECS, line), line);
    }
  }

  @Test
  void shouldKnowEveryNameTheMappingReadsAndNothingOneByteAway() {
    Set<String> names = new HashSet<>(WindowsEventDecoder.FLAT_SCALARS);
    names.addAll(WindowsEventDecoder.FLAT_OBJECTS);
    int tried = 0;
    for (String name : names) {
      assertEquals(name, known(name));
      List<String> near = new ArrayList<>(List.of(name + "x", name.substring(1), "x" + name));
      near.add(name.substring(0, name.length() - 1));
      for (int i = 0; i < name.length(); i++) {
        char ch = name.charAt(i);
        char other = Character.isUpperCase(ch) ? Character.toLowerCase(ch) : (char) (ch ^ 1);
        near.add(name.substring(0, i) + other + name.substring(i + 1));
      }
      for (String n : near) {
        // a neighbour may be another known name ("EventID", "EventId"): then it is that one
        assertEquals(names.contains(n) ? n : null, known(n), n);
        tried++;
      }
    }
    assertTrue(tried > 500, "tried " + tried);
  }

  private static String known(String name) {
    byte[] json = ("{\"" + name + "\":1}").getBytes(StandardCharsets.US_ASCII);
    WindowsFlatScanner.Known k = new WindowsFlatScanner(json).known(2, 2 + name.length());
    return k == null ? null : k.name();
  }

  @Test
  void shouldReadAProviderStringButLeaveAProviderObjectToJackson() throws IOException {
    String bare = sysmon().replace("\"SourceName\":\"Microsoft-Windows-Sysmon\",", "");
    assertNotNull(scan(last(bare, ",\"Provider\":\"Microsoft-Windows-Sysmon\"")));
    assertNull(scan(last(bare, ",\"Provider\":{\"Name\":\"Microsoft-Windows-Sysmon\"}")));
  }

  @Test
  void shouldLeaveAnEventDataObjectOrXmlToJackson() throws IOException {
    assertNull(scan(last(sysmon(), ",\"EventData\":{\"Image\":\"C:\\\\x\\\\cmd.exe\"}")));
    assertNull(scan(last(sysmon(), ",\"EventData\":\"<Data Name='Image'>x</Data>\"")));
  }

  @Test
  void shouldKeepTheLastOfTwoImagesAsTheJacksonPathDoes() throws IOException {
    WindowsEventDecoder.Result r =
        scan(last(sysmon(), ",\"Image\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\""));
    assertEquals("cmd.exe", r.event().fileName());
  }

  @Test
  void shouldSkipAnotherSysmonEventUnderItsCategoryAsTheJacksonPathDoes() throws IOException {
    WindowsEventDecoder.Result r = scan(sysmon().replace("\"EventID\":1,", "\"EventID\":3,"));
    assertNull(r.event());
    assertEquals("sysmon/3", r.skipped());
  }

  @Test
  void shouldLeaveARecordTheMappingRefusesToJacksonWhichWritesTheDeadLetter() throws IOException {
    assertNull(scan(sysmon().replace("\"Hostname\":\"WS00019.contoso.local\",", "")));
    assertEquals(1, comparison.seen("dead letter: missing-field"), comparison.toString());
  }

  @Test
  void shouldLeaveAFieldOfTheWrongTypeToJacksonWhichWritesTheDeadLetter() throws IOException {
    assertNull(scan(last(sysmon(), ",\"Image\":[\"cmd.exe\"]")));
    assertNull(scan(last(sysmon(), ",\"Hostname\":{}")));
    assertEquals(2, comparison.seen("dead letter: bad-field"), comparison.toString());
  }

  @Test
  void shouldReadNumbersAndLiteralsOfScalarFieldsAsTheirText() throws IOException {
    WindowsEventDecoder.Result r =
        scan(sysmon().replace("\"ProcessId\":\"26040\"", "\"ProcessId\":26040"));
    assertNotNull(r);
    assertNotNull(scan(last(sysmon(), ",\"ParentCommandLine\":true,\"User\":null")));
  }

  @Test
  void shouldNeedAWindowsFirstNameUnlessTheFormatSaysWindows() throws IOException {
    // the decoder tells the family by the first name of one: here Defender's FileName
    String defenderFirst = first(sysmon(), "\"Comment\":1,\"FileName\":\"x\",");
    assertNull(scan(defenderFirst));
    assertNotNull(scan(InputFormat.SYSMON, defenderFirst));
    assertNotNull(scan(first(sysmon(), "\"Comment\":1,")));
  }

  @Test
  void shouldLeaveEscapedNamesAndTrailingContentToJackson() throws IOException {
    assertNull(scan(sysmon().replace("\"Image\"", "\"Imag\\u0065\"")));
    assertNull(scan(sysmon() + " x"));
    assertNotNull(scan(" " + sysmon() + "\n"));
  }

  // ---- creations the rule's screen sets aside, and the values left as bytes until asked

  private static ProcessEvent screened(String json) {
    WindowsEventDecoder.Result r =
        new WindowsFlatScanner(json.getBytes(UTF_8))
            .scan(new WindowsEventDecoder(InputFormat.JSON, KQL), false);
    assertNotNull(r, json);
    return r.event();
  }

  @Test
  void shouldSetAsideACreationOfNoShellOrWebServerUnderNoWebServer() throws IOException {
    String json = sysmon(); // conhost.exe under svchost.exe
    assertNotNull(scan(json)); // the decoders agree on it (ScreenComparison)
    ProcessEvent e = screened(json);
    assertEquals("conhost.exe", e.fileName());
    assertEquals("svchost.exe", e.initiatingProcessFileName());
    assertNull(e.folderPath());
    assertNull(e.initiatingProcessFolderPath());
    assertEquals(26040L, e.processId());
    assertNull(e.processCommandLine());
    assertNull(e.initiatingProcessCommandLine());
    assertNull(e.accountName());
    assertEquals(new ProcessLineage(ProcessLineage.KeyKind.GUID, null, null), e.lineage());
    assertEquals(1, comparison.seen("set aside: windows"), comparison.toString());
  }

  @Test
  void shouldReadWholeACreationUnderAWebServer() throws IOException {
    String json =
        sysmon()
            .replace(
                "\"ParentImage\":\"C:\\\\Windows\\\\System32\\\\svchost.exe\"",
                "\"ParentImage\":\"C:\\\\inetpub\\\\w3wp.exe\"");
    assertNotNull(scan(json));
    ProcessEvent e = screened(json);
    assertEquals("w3wp.exe", e.initiatingProcessFileName());
    assertEquals(
        "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1", e.processCommandLine());
    assertEquals(
        "C:\\Windows\\system32\\svchost.exe -k netsvcs -p", e.initiatingProcessCommandLine());
    assertEquals("SYSTEM", e.accountName());
    assertEquals("5a17c313-9cd1-6000-003f-000000001013", e.lineage().processKey());
    assertEquals(1, comparison.seen("read whole: windows"), comparison.toString());
  }

  @Test
  void shouldBuildTheLastCopyOfAValueLeftAsBytesWithItsEscapesDecoded() throws IOException {
    WindowsEventDecoder.Result r =
        scan(last(sysmon(), ",\"CommandLine\":\"cmd /c \\\"a b\\\" \\u0041\\\\x\",\"User\":null"));
    assertNotNull(r);
    assertEquals("cmd /c \"a b\" A\\x", r.event().processCommandLine());
    assertNull(r.event().accountName());
  }
}
