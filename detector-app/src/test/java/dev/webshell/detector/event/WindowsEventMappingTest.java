package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.event.WindowsRecords.Expected;
import dev.webshell.detector.event.WindowsRecords.Shape;
import dev.webshell.detector.event.WindowsRecords.Truth;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SPEC 6.4, column by column: records written by {@link WindowsRecords} from a known truth in every
 * shape collectors produce, decoded by the production decoders, compared with the mapping the SPEC
 * gives for that truth.
 */
class WindowsEventMappingTest {
  private static final JsonInputDecoder JSON = new JsonInputDecoder(InputFormat.JSON);
  private static final InputDeserializer AUTO = new InputDeserializer(InputFormat.AUTO, null);

  private static Decoded decode(InputFormat format, String json) {
    return new JsonInputDecoder(format).decode(json.getBytes(StandardCharsets.UTF_8));
  }

  private static ProcessEvent only(Decoded d) {
    assertEquals(List.of(), d.skipped(), "skipped");
    assertEquals(List.of(), d.failures(), "failures");
    assertEquals(1, d.events().size(), "events");
    return d.events().get(0);
  }

  @Test
  void shouldMapThousandsOfRandomCreationsInEveryShapeLikeTheSpec() {
    Random r = new Random(14);
    Map<Shape, Integer> seen = new EnumMap<>(Shape.class);
    for (int i = 0; i < 4_000; i++) {
      boolean security = r.nextInt(3) == 0;
      Truth t = WindowsRecords.randomTruth(r, security);
      Shape[] shapes = security ? WindowsRecords.SECURITY_SHAPES : WindowsRecords.SYSMON_SHAPES;
      Shape shape = shapes[r.nextInt(shapes.length)];
      String json = WindowsRecords.render(t, shape, r);
      Expected want = WindowsRecords.expected(t, shape);
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      assertEquals(want, Expected.of(only(JSON.decode(bytes))), json);
      assertEquals(want, Expected.of(only(AUTO.deserialize("t", bytes))), json);
      InputFormat own = security ? InputFormat.WINDOWS_SECURITY : InputFormat.SYSMON;
      if (shape == Shape.ECS_DEFEND) {
        // Elastic Defend's own telemetry names no provider: it is not Sysmon
        assertEquals(List.of("ecs/process-start"), decode(own, json).skipped(), json);
      } else {
        assertEquals(want, Expected.of(only(decode(own, json))), json);
      }
      boolean ecs =
          shape == Shape.ECS_PIPELINE || shape == Shape.ECS_OLD_SCRIPT || shape == Shape.ECS_DEFEND;
      if (ecs) {
        assertEquals(want, Expected.of(only(decode(InputFormat.ECS, json))), json);
      } else {
        assertEquals(
            List.of(security ? "windows-security/4688" : "sysmon/1"),
            decode(InputFormat.ECS, json).skipped(),
            json);
      }
      if (shape != Shape.ECS_DEFEND) {
        InputFormat other = security ? InputFormat.SYSMON : InputFormat.WINDOWS_SECURITY;
        Decoded d = decode(other, json);
        assertEquals(List.of(), d.events(), json);
        assertEquals(List.of(security ? "windows-security/4688" : "sysmon/1"), d.skipped(), json);
      }
      seen.merge(shape, 1, Integer::sum);
    }
    assertEquals(Shape.values().length, seen.size(), "every shape was written: " + seen);
  }

  @Test
  void shouldReadWinlogbeatsOwnSysmonRecordAsItsGoldenFileShowsIt() {
    // winlogbeat's collection golden file for Sysmon event 1: ids as strings, the collector's own
    // process (winlog.process.pid) and account (winlog.user) beside the event data
    String json =
        "{\"@timestamp\":\"2020-10-27T20:00:14.3242341Z\",\"event\":{\"action\":\"Process Create"
            + " (rule: ProcessCreate)\",\"code\":\"1\",\"kind\":\"event\",\"provider\":"
            + "\"Microsoft-Windows-Sysmon\"},\"host\":{\"name\":\"vagrant\"},\"log\":{\"level\":"
            + "\"information\"},\"winlog\":{\"channel\":\"Microsoft-Windows-Sysmon/Operational\","
            + "\"computer_name\":\"vagrant\",\"event_data\":{\"CommandLine\":\"\\\"C:\\\\Windows\\\\"
            + "system32\\\\notepad.exe\\\" \",\"Image\":\"C:\\\\Windows\\\\System32\\\\notepad.exe\","
            + "\"ParentCommandLine\":\"C:\\\\Windows\\\\Explorer.EXE\",\"ParentImage\":"
            + "\"C:\\\\Windows\\\\explorer.exe\",\"ParentProcessGuid\":"
            + "\"{9F32B55F-6FDF-5F98-7000-000000000500}\",\"ParentProcessId\":\"4212\","
            + "\"ProcessGuid\":\"{9F32B55F-7C4E-5F98-5803-000000000500}\",\"ProcessId\":\"3616\","
            + "\"User\":\"VAGRANT\\\\vagrant\",\"UtcTime\":\"2020-10-27 20:00:14.320\"},"
            + "\"event_id\":\"1\",\"process\":{\"pid\":7144,\"thread\":{\"id\":6876}},"
            + "\"provider_name\":\"Microsoft-Windows-Sysmon\",\"record_id\":20,\"user\":{\"domain\":"
            + "\"NT AUTHORITY\",\"identifier\":\"S-1-5-18\",\"name\":\"SYSTEM\"},\"version\":5}}";
    Decoded d = JSON.decode(json.getBytes(StandardCharsets.UTF_8));
    assertEquals("winlogbeat", d.format());
    ProcessEvent e = only(d);
    assertEquals(
        micros("2020-10-27T20:00:14.320Z"), e.timestampMicros(), "UtcTime, not @timestamp");
    assertEquals("vagrant", e.deviceId());
    assertEquals("notepad.exe", e.fileName());
    assertEquals("explorer.exe", e.initiatingProcessFileName());
    assertEquals("C:\\Windows\\Explorer.EXE", e.initiatingProcessCommandLine());
    assertEquals(3616L, e.processId(), "the new process, not the collector's winlog.process.pid");
    assertEquals("vagrant", e.accountName(), "User, not winlog.user");
    assertEquals(20L, e.reportId());
    assertNull(e.initiatingProcessParentFileName());
    assertEquals(
        new ProcessLineage(
            ProcessLineage.KeyKind.GUID,
            "9f32b55f-7c4e-5f98-5803-000000000500",
            "9f32b55f-6fdf-5f98-7000-000000000500"),
        e.lineage());
  }

  @Test
  void shouldReadTheEcsOfWinlogbeatsSysmonPipeline() {
    // the ingest golden file: event.code a number, categories as arrays, the data moved to
    // process.*
    String json =
        "{\"@timestamp\":\"2020-10-27T20:00:14.32Z\",\"event\":{\"category\":[\"process\"],"
            + "\"code\":1,\"kind\":\"event\",\"module\":\"sysmon\",\"provider\":"
            + "\"Microsoft-Windows-Sysmon\",\"type\":[\"start\",\"process_start\"]},\"host\":"
            + "{\"name\":\"vagrant\"},\"process\":{\"args\":[\"C:\\\\Windows\\\\system32\\\\"
            + "notepad.exe\"],\"command_line\":\"\\\"C:\\\\Windows\\\\system32\\\\notepad.exe\\\" \","
            + "\"entity_id\":\"{9F32B55F-7C4E-5F98-5803-000000000500}\",\"executable\":"
            + "\"C:\\\\Windows\\\\System32\\\\notepad.exe\",\"name\":\"notepad.exe\",\"parent\":"
            + "{\"args\":[\"C:\\\\Windows\\\\Explorer.EXE\"],\"command_line\":"
            + "\"C:\\\\Windows\\\\Explorer.EXE\",\"entity_id\":"
            + "\"{9F32B55F-6FDF-5F98-7000-000000000500}\",\"executable\":"
            + "\"C:\\\\Windows\\\\explorer.exe\",\"name\":\"explorer.exe\",\"pid\":4212},\"pid\":3616,"
            + "\"working_directory\":\"C:\\\\Users\\\\vagrant\\\\\"},\"user\":{\"domain\":\"VAGRANT\","
            + "\"name\":\"vagrant\"},\"winlog\":{\"api\":\"wineventlog\",\"channel\":"
            + "\"Microsoft-Windows-Sysmon/Operational\",\"computer_name\":\"vagrant\",\"event_data\":"
            + "{\"IntegrityLevel\":\"Medium\",\"RuleName\":\"-\"},\"event_id\":1,\"provider_name\":"
            + "\"Microsoft-Windows-Sysmon\",\"record_id\":20}}";
    Decoded d = JSON.decode(json.getBytes(StandardCharsets.UTF_8));
    assertEquals("ecs", d.format());
    ProcessEvent e = only(d);
    assertEquals(micros("2020-10-27T20:00:14.320Z"), e.timestampMicros());
    assertEquals("notepad.exe", e.fileName());
    assertEquals("\"C:\\Windows\\system32\\notepad.exe\" ", e.processCommandLine());
    assertEquals("explorer.exe", e.initiatingProcessFileName());
    assertEquals(3616L, e.processId());
    assertEquals("vagrant", e.accountName());
    assertEquals("9f32b55f-6fdf-5f98-7000-000000000500", e.lineage().parentProcessKey());
  }

  @Test
  void shouldReadASecurityDatasetsNxlogRecordWithItsCollectorFieldsLeftAside() {
    String json =
        "{\"tags\":[\"mordorDataset\"],\"@version\":\"1\",\"EventType\":\"INFO\",\"Version\":5,"
            + "\"ThreadID\":4364,\"EventTime\":\"2020-08-06 12:13:04\",\"Task\":1,"
            + "\"AccountType\":\"User\",\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
            + "\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Hostname\":\"WORKSTATION5.theshire.local\","
            + "\"@timestamp\":\"2020-08-06T16:13:07.802Z\",\"ProcessId\":\"908\",\"Image\":"
            + "\"C:\\\\windows\\\\system32\\\\cmd.exe\",\"CommandLine\":\"cmd /c whoami\","
            + "\"ParentImage\":\"c:\\\\windows\\\\system32\\\\inetsrv\\\\w3wp.exe\",\"port\":60122,"
            + "\"AccountName\":\"SYSTEM\",\"UtcTime\":\"2020-08-06 16:13:04.932\",\"Domain\":"
            + "\"NT AUTHORITY\",\"ExecutionProcessID\":3284,\"host\":\"wec.internal.cloudapp.net\","
            + "\"Severity\":\"INFO\",\"SeverityValue\":2,\"EventID\":1,\"UserID\":\"S-1-5-18\","
            + "\"RecordNumber\":403185,\"User\":\"THESHIRE\\\\pgustavo\","
            + "\"Keywords\":-9223372036854775808,\"ProcessGuid\":\"{297bc33e-5c2f-5f2b-1000-000000000400}\","
            + "\"ParentProcessGuid\":\"{297bc33e-5c2f-5f2b-0f00-000000000400}\"}";
    Decoded d = JSON.decode(json.getBytes(StandardCharsets.UTF_8));
    assertEquals("sysmon", d.format());
    ProcessEvent e = only(d);
    assertEquals(micros("2020-08-06T16:13:04.932Z"), e.timestampMicros(), "not EventTime");
    assertEquals("workstation5.theshire.local", e.deviceId(), "not the forwarder in host");
    assertEquals("pgustavo", e.accountName(), "User, not the collector's AccountName");
    assertEquals(908L, e.processId(), "ProcessId, not ProcessID");
    assertEquals("w3wp.exe", e.initiatingProcessFileName());
    assertEquals(403185L, e.reportId());
  }

  @Test
  void shouldKeepTheLastValueOfAKeyGivenTwiceAsJacksonAndJavaScriptDo() {
    String json =
        "{\"EventID\":3,\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Hostname\":\"decoy\","
            + "\"Image\":\"C:\\\\decoy.exe\",\"UtcTime\":\"2021-01-01 00:00:00.000\","
            + "\"EventID\":\"1\",\"Hostname\":\"web01\",\"Image\":\"C:\\\\Windows\\\\cmd.exe\","
            + "\"winlog\":{\"event_data\":{\"CommandLine\":\"first\",\"CommandLine\":\"second\"}}}";
    ProcessEvent e = only(JSON.decode(json.getBytes(StandardCharsets.UTF_8)));
    assertEquals("web01", e.deviceId());
    assertEquals("cmd.exe", e.fileName());
    assertEquals("second", e.processCommandLine());
  }

  @Test
  void shouldPreferWinlogEventDataThenAnEventDataObjectThenTheTopLevel() {
    String json =
        "{\"EventID\":1,\"Provider\":{\"Name\":\"Microsoft-Windows-Sysmon\"},\"Computer\":\"h\","
            + "\"UtcTime\":\"2021-01-01 00:00:01\",\"Image\":\"top\\\\a.exe\",\"CommandLine\":\"top\","
            + "\"User\":\"D\\\\top\",\"EventData\":{\"Image\":\"nested\\\\b.exe\",\"CommandLine\":"
            + "\"nested\"},\"winlog\":{\"event_data\":{\"Image\":\"winlog/c.exe\"}}}";
    ProcessEvent e = only(JSON.decode(json.getBytes(StandardCharsets.UTF_8)));
    assertEquals("c.exe", e.fileName());
    assertEquals("nested", e.processCommandLine());
    assertEquals("top", e.accountName());
    assertEquals(micros("2021-01-01T00:00:01Z"), e.timestampMicros(), "no fraction is allowed");
  }

  @Test
  void shouldLowerCaseOnlyAsciiLettersOfTheHost() {
    String json =
        "{\"EventID\":1,\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Hostname\":\" ÉXCH-01.Contoso \","
            + "\"UtcTime\":\"2021-01-01 00:00:00.5\"}";
    ProcessEvent e = only(JSON.decode(json.getBytes(StandardCharsets.UTF_8)));
    assertEquals("Éxch-01.contoso", e.deviceId());
    assertEquals(e.deviceId(), e.deviceName());
    assertEquals(micros("2021-01-01T00:00:00.500Z"), e.timestampMicros());
    assertNull(e.fileName());
    assertNull(e.lineage(), "no keys at all");
  }

  @Test
  void shouldMapA4688WithItsHexadecimalIdsAndTheTargetAccountWhenThereIsOne() {
    String json =
        "{\"EventID\":\"4688\",\"Channel\":\"Security\",\"Computer\":\"WEB01\","
            + "\"@timestamp\":\"2021-03-02T10:00:00.1234567Z\",\"NewProcessId\":\"0x1A4\","
            + "\"ProcessId\":\"0xbb8\",\"NewProcessName\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\","
            + "\"ParentProcessName\":\"C:\\\\Windows\\\\System32\\\\inetsrv\\\\w3wp.exe\","
            + "\"CommandLine\":\"cmd /c whoami\",\"SubjectUserName\":\"WEB01$\","
            + "\"TargetUserName\":\"DefaultAppPool\",\"TimeCreated\":\"2021-03-02T05:00:00Z\"}";
    Decoded d = JSON.decode(json.getBytes(StandardCharsets.UTF_8));
    assertEquals("windows-security", d.format());
    ProcessEvent e = only(d);
    assertEquals(micros("2021-03-02T10:00:00.123456Z"), e.timestampMicros(), "not TimeCreated");
    assertEquals(420L, e.processId());
    assertEquals("DefaultAppPool", e.accountName());
    assertEquals("w3wp.exe", e.initiatingProcessFileName());
    assertNull(e.initiatingProcessCommandLine(), "4688 does not carry it");
    assertEquals(new ProcessLineage(ProcessLineage.KeyKind.PID, "420", "3000"), e.lineage());
  }

  @Test
  void shouldSkipAndCountOtherEventIdsAndProvidersNeverDeadLetterThem() {
    Map<String, String> records =
        Map.of(
            "windows/other-provider",
            "{\"EventID\":1,\"SourceName\":\"MSExchange CmdletLogs\",\"Hostname\":\"EXCH01\","
                + "\"Message\":\"Cmdlet succeeded\"}",
            "sysmon/3",
            "{\"EventID\":3,\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Hostname\":\"h\","
                + "\"Image\":\"C:\\\\w3wp.exe\",\"UtcTime\":\"2021-01-01 00:00:00.000\"}",
            "sysmon/11",
            "{\"winlog\":{\"event_id\":\"11\",\"provider_name\":\"Microsoft-Windows-Sysmon\"}}",
            "sysmon/other",
            "{\"EventID\":70000,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"}",
            "windows-security/4624",
            "{\"EventID\":4624,\"SourceName\":\"Microsoft-Windows-Security-Auditing\"}",
            "windows-security/other",
            "{\"EventID\":\"x\",\"SourceName\":\"Microsoft-Windows-Security-Auditing\"}",
            "ecs/not-process-start",
            "{\"event\":{\"category\":[\"process\"],\"type\":[\"end\"]},\"process\":{\"pid\":1}}",
            "windows/no-provider",
            "{\"EventID\":1,\"Image\":\"C:\\\\cmd.exe\",\"Hostname\":\"h\"}");
    records.forEach(
        (category, json) -> {
          Decoded d = JSON.decode(json.getBytes(StandardCharsets.UTF_8));
          assertEquals(List.of(), d.events(), json);
          assertEquals(List.of(category), d.skipped(), json);
          assertEquals(List.of(), d.failures(), json);
        });
  }

  @Test
  void shouldDeadLetterASysmonCreationWithoutHostOrTimeOrWithABadOne() {
    String base =
        "\"EventID\":1,\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Image\":\"C:\\\\cmd.exe\"";
    assertReason("missing-field", "{" + base + ",\"UtcTime\":\"2021-01-01 00:00:00.000\"}");
    assertReason(
        "missing-field", "{" + base + ",\"Hostname\":\"  \",\"UtcTime\":\"2021-01-01 00:00:00\"}");
    assertReason(
        "missing-field", "{" + base + ",\"Hostname\":\"h\",\"EventTime\":\"2021-01-01 00:00:00\"}");
    assertReason("bad-timestamp", "{" + base + ",\"Hostname\":\"h\",\"UtcTime\":\"yesterday\"}");
    assertReason(
        "bad-timestamp", "{" + base + ",\"Hostname\":\"h\",\"@timestamp\":\"2021-01-01 00:00\"}");
    assertReason(
        "bad-field",
        "{"
            + base
            + ",\"Hostname\":\"h\",\"UtcTime\":\"2021-01-01 00:00:00\",\"ProcessId\":\"12ab\"}");
    assertReason("bad-field", "{" + base + ",\"Hostname\":{\"x\":1}}");
    assertReason(
        "missing-field",
        "{\"EventID\":4688,\"SourceName\":\"Microsoft-Windows-Security-Auditing\",\"Computer\":\"h\","
            + "\"TimeCreated\":\"2021-01-01T00:00:00Z\"}");
    DecodeException e =
        assertThrows(
            DecodeException.class,
            () ->
                JSON.decode(
                    ("{" + base + ",\"UtcTime\":\"2021-01-01 00:00:00\"}")
                        .getBytes(StandardCharsets.UTF_8)));
    assertTrue(
        e.getMessage().contains("Sysmon process creation (event 1) has no host"), e.getMessage());
  }

  @Test
  void shouldDetectDefenderRowsByTheirOwnColumnsEvenBehindLogstashFields() {
    String row =
        "{\"@timestamp\":\"2021-01-01T00:00:00Z\",\"@version\":\"1\",\"Timestamp\":"
            + "\"2021-04-14T18:49:17.7849324Z\",\"DeviceId\":\"d1\",\"FileName\":\"cmd.exe\","
            + "\"ProcessCommandLine\":\"cmd /c whoami\",\"InitiatingProcessFileName\":\"w3wp.exe\"}";
    Decoded d = JSON.decode(row.getBytes(StandardCharsets.UTF_8));
    assertEquals("json", d.format());
    assertEquals("d1", only(d).deviceId());
    assertNull(only(d).lineage(), "Defender rows have no lineage");
    // under --input-format sysmon, the same row is no Windows record: a dead letter, not a skip
    assertReason(InputFormat.SYSMON, "unknown-format", row);
    // and a Sysmon record under --input-format defender is a Defender row without its columns
    assertReason(
        InputFormat.DEFENDER,
        "missing-field",
        "{\"EventID\":1,\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Hostname\":\"h\","
            + "\"UtcTime\":\"2021-01-01 00:00:00.000\"}");
  }

  @Test
  void shouldAcceptEventIdsAndProcessIdsAsNumbersOrStrings() {
    for (String id : List.of("1", "\"1\"", "\" 1 \"")) {
      for (String pid : List.of("4242", "\"4242\"", "\"0x1092\"")) {
        String json =
            "{\"EventID\":"
                + id
                + ",\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Hostname\":\"h\","
                + "\"UtcTime\":\"2021-01-01 00:00:00.000\",\"ProcessId\":"
                + pid
                + ",\"ParentProcessId\":\"7\"}";
        ProcessEvent e = only(JSON.decode(json.getBytes(StandardCharsets.UTF_8)));
        assertEquals(4242L, e.processId(), json);
        assertEquals(new ProcessLineage(ProcessLineage.KeyKind.PID, "4242", "7"), e.lineage());
      }
    }
  }

  @Test
  void shouldKeepTheCaseOfEntityIdsThatAreNoGuids() {
    // Elastic Defend: entity ids are base64, where case matters; no provider, ECS only
    String json =
        "{\"@timestamp\":\"2023-05-01T10:00:00.123Z\",\"event\":{\"category\":\"process\","
            + "\"type\":[\"start\"],\"module\":\"endpoint\"},\"host\":{\"name\":\"WEB7\"},"
            + "\"process\":{\"entity_id\":\"NzQ3NmE1ZjUtYWJj\",\"executable\":\"C:\\\\Windows\\\\cmd.exe\","
            + "\"parent\":{\"entity_id\":\"{AB-CD}\",\"name\":\"w3wp.exe\"}}}";
    Decoded d = JSON.decode(json.getBytes(StandardCharsets.UTF_8));
    assertEquals("ecs", d.format());
    ProcessEvent e = only(d);
    assertEquals(
        new ProcessLineage(ProcessLineage.KeyKind.GUID, "NzQ3NmE1ZjUtYWJj", "ab-cd"), e.lineage());
    assertEquals(
        "w3wp.exe", e.initiatingProcessFileName(), "process.parent.name without executable");
    assertEquals("cmd.exe", e.fileName());
  }

  @Test
  void shouldReadSentinelsEventTableWhoseEventDataIsRenderedXmlOnly() {
    String xml =
        "<DataItem type=\\\"System.XmlData\\\"><EventData xmlns=\\\"http://schemas.microsoft.com/win/2004/08/events/event\\\">"
            + "<Data Name=\\\"RuleName\\\">-</Data><Data Name=\\\"UtcTime\\\">2021-03-03 06:10:11.123</Data>"
            + "<Data Name=\\\"ProcessGuid\\\">{AA-BB}</Data><Data Name=\\\"ProcessId\\\">4242</Data>"
            + "<Data Name=\\\"Image\\\">C:\\\\Windows\\\\System32\\\\cmd.exe</Data>"
            + "<Data Name=\\\"CommandLine\\\">cmd /c &quot;whoami &amp;&amp; ipconfig&quot;</Data>"
            + "<Data Name=\\\"User\\\">IIS APPPOOL\\\\DefaultAppPool</Data>"
            + "<Data Name=\\\"ParentProcessGuid\\\">{CC-DD}</Data>"
            + "<Data Name=\\\"ParentImage\\\">c:\\\\windows\\\\system32\\\\inetsrv\\\\w3wp.exe</Data>"
            + "</EventData></DataItem>";
    String json =
        "{\"TimeGenerated\":\"2021-03-03T06:10:40.000Z\",\"Source\":\"Microsoft-Windows-Sysmon\","
            + "\"EventLog\":\"Microsoft-Windows-Sysmon/Operational\",\"Computer\":\"EXCH01.contoso.local\","
            + "\"EventID\":1,\"RenderedDescription\":\"Process Create:\",\"EventData\":\""
            + xml
            + "\"}";
    ProcessEvent e = only(JSON.decode(json.getBytes(StandardCharsets.UTF_8)));
    assertEquals(micros("2021-03-03T06:10:11.123Z"), e.timestampMicros());
    assertEquals("exch01.contoso.local", e.deviceId());
    assertEquals("cmd.exe", e.fileName());
    assertEquals("cmd /c \"whoami && ipconfig\"", e.processCommandLine());
    assertEquals("w3wp.exe", e.initiatingProcessFileName());
    assertEquals("DefaultAppPool", e.accountName());
    assertEquals(new ProcessLineage(ProcessLineage.KeyKind.GUID, "aa-bb", "cc-dd"), e.lineage());
    assertReason(
        "bad-field",
        "{\"Source\":\"Microsoft-Windows-Sysmon\",\"EventID\":1,\"Computer\":\"h\","
            + "\"EventData\":\"<EventData><Data Name='Image'>x</EventData>\"}");
    assertReason(
        "bad-field",
        "{\"Source\":\"Microsoft-Windows-Sysmon\",\"EventID\":1,\"Computer\":\"h\","
            + "\"EventData\":\"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><EventData>"
            + "<Data Name='Image'>&e;</Data></EventData>\"}");
  }

  @Test
  void shouldReadEvtxDumpJsonWithItsSystemTimeWhenThereIsNoUtcTime() {
    String json =
        "{\"Event\":{\"#attributes\":{\"xmlns\":\"http://schemas.microsoft.com/win/2004/08/events/event\"},"
            + "\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-Security-Auditing\"}},"
            + "\"EventID\":4688,\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2019-03-19T23:50:36.948377Z\"}},"
            + "\"EventRecordID\":5555,\"Channel\":\"Security\",\"Computer\":\"IIS01.lab\"},"
            + "\"EventData\":{\"NewProcessId\":\"0x6b4\",\"NewProcessName\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\","
            + "\"ProcessId\":\"0x9f0\",\"CommandLine\":\"cmd /c ipconfig\",\"ParentProcessName\":"
            + "\"C:\\\\Windows\\\\System32\\\\inetsrv\\\\w3wp.exe\",\"SubjectUserName\":\"IIS01$\"}}}";
    ProcessEvent e = only(JSON.decode(json.getBytes(StandardCharsets.UTF_8)));
    assertEquals(micros("2019-03-19T23:50:36.948377Z"), e.timestampMicros());
    assertEquals("iis01.lab", e.deviceId());
    assertEquals(1716L, e.processId());
    assertEquals("IIS01$", e.accountName());
    assertEquals(5555L, e.reportId());
  }

  private static void assertReason(String reason, String json) {
    assertReason(InputFormat.JSON, reason, json);
  }

  private static void assertReason(InputFormat format, String reason, String json) {
    DecodeException e = assertThrows(DecodeException.class, () -> decode(format, json), json);
    assertEquals(reason, e.reason(), json + ": " + e.getMessage());
  }

  private static long micros(String iso) {
    return Timestamps.toMicros(Instant.parse(iso));
  }
}
