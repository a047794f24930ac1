package dev.webshell.detector.siem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webshell.detector.serde.AlertJson;
import dev.webshell.schema.WebShellAlert;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OcsfDetectionFindingTest {
  static final OcsfValidator OCSF = OcsfValidator.load("/ocsf/ocsf-1.3.0-detection-finding.json");
  static final Path SAMPLE_ALERTS = Path.of("../samples/softcell.alerts.jsonl");
  private static final ObjectMapper JSON = new ObjectMapper();

  static List<WebShellAlert> sampleAlerts() throws Exception {
    List<WebShellAlert> alerts = new ArrayList<>();
    for (String line : Files.readAllLines(SAMPLE_ALERTS)) {
      alerts.add(AlertJson.fromJson(line.getBytes(StandardCharsets.UTF_8)));
    }
    return alerts;
  }

  /** The finding as a SIEM receives it: the serialized bytes, parsed. */
  static JsonNode finding(WebShellAlert a) throws Exception {
    return JSON.readTree(OcsfDetectionFinding.toBytes(a));
  }

  @Test
  void shouldFollowTheOcsfDefinitionOfDetectionFindingForEveryRevisionOfTheSample()
      throws Exception {
    List<WebShellAlert> alerts = sampleAlerts();
    assertEquals(11, alerts.size(), "9 revisions, 2 closing ones");
    for (WebShellAlert a : alerts) {
      JsonNode f = finding(a);
      assertEquals(List.of(), OCSF.validate(f), f.toString());
      assertEquals(a.getAlertId(), f.at("/finding_info/uid").asText());
      assertEquals(
          "closed".equals(a.getStatus()) ? "Close" : a.getRevision() == 1 ? "Create" : "Update",
          f.get("activity_name").asText());
    }
  }

  @Test
  void shouldTargetOcsfOneThreeZeroTheVersionTheChecksAreExtractedFrom() {
    assertEquals("1.3.0", OCSF.version());
    assertEquals(OCSF.version(), OcsfDetectionFinding.OCSF_VERSION);
  }

  @Test
  void shouldMakeRevisionOneACreateAndLaterRevisionsUpdatesWithTheirTypeUid() throws Exception {
    JsonNode first = finding(TestAlerts.open(1).build());
    assertEquals(1, first.get("activity_id").asInt());
    assertEquals("Create", first.get("activity_name").asText());
    assertEquals(200401, first.get("type_uid").asLong());
    assertEquals("Detection Finding: Create", first.get("type_name").asText());
    JsonNode third = finding(TestAlerts.open(3).build());
    assertEquals(2, third.get("activity_id").asInt());
    assertEquals("Update", third.get("activity_name").asText());
    assertEquals(200402, third.get("type_uid").asLong());
    assertEquals(1, third.get("status_id").asInt());
    assertEquals("New", third.get("status").asText());
    assertEquals(List.of(), OCSF.validate(first));
    assertEquals(List.of(), OCSF.validate(third));
  }

  @Test
  void shouldMakeTheClosingRevisionACloseDatedWhenTheWindowEmptied() throws Exception {
    WebShellAlert closed = TestAlerts.closed(3).build();
    JsonNode f = finding(closed);
    assertEquals(List.of(), OCSF.validate(f), f.toString());
    assertEquals(3, f.get("activity_id").asInt());
    assertEquals("Close", f.get("activity_name").asText());
    assertEquals(200403, f.get("type_uid").asLong());
    assertEquals(99, f.get("status_id").asInt());
    assertEquals("Closed", f.get("status").asText());
    assertEquals("closed", f.at("/unmapped/alert_status").asText());
    assertEquals(4, f.at("/metadata/sequence").asInt());
    // last match + 7 days, not the wall clock
    assertEquals(
        TestAlerts.LAST.plus(java.time.Duration.ofDays(7)).toEpochMilli(), f.get("time").asLong());
    assertEquals(9, f.get("count").asInt());
    assertTrue(f.get("message").asText().startsWith("Closed after 7 days without a new match"));
  }

  @Test
  void shouldCarryTheRuleAsAnalyticAndItsAttackTacticsAndTechniquesWithAttackIds()
      throws Exception {
    JsonNode info = finding(TestAlerts.open(1).build()).get("finding_info");
    assertEquals("fa2f7d8a-6726-465a-aa72-6f6e3d4c99d7", info.at("/analytic/uid").asText());
    assertEquals(
        "Detect suspicious commands initiated by web server processes",
        info.at("/analytic/name").asText());
    assertEquals("1.0.0", info.at("/analytic/version").asText());
    assertEquals(1, info.at("/analytic/type_id").asInt());
    assertEquals("Rule", info.at("/analytic/type").asText());
    assertEquals(info.at("/analytic/name").asText(), info.get("title").asText());
    assertEquals(TestAlerts.FIRST.toEpochMilli(), info.get("first_seen_time").asLong());
    assertEquals(TestAlerts.LAST.toEpochMilli(), info.get("last_seen_time").asLong());
    List<String> pairs = new ArrayList<>();
    for (JsonNode attack : info.get("attacks")) {
      pairs.add(
          attack.at("/tactic/uid").asText()
              + " "
              + attack.at("/tactic/name").asText()
              + " / "
              + attack.at("/technique/uid").asText()
              + " "
              + attack.at("/technique/name").asText());
    }
    assertEquals(
        List.of(
            "TA0002 Execution / T1059 Command and Scripting Interpreter",
            "TA0005 Defense Evasion / T1574 Hijack Execution Flow",
            "TA0007 Discovery / T1087 Account Discovery",
            "TA0007 Discovery / T1082 System Information Discovery"),
        pairs);
    assertEquals(
        "https://attack.mitre.org/techniques/T1059/",
        info.at("/attacks/0/technique/src_url").asText());
    assertEquals(
        "https://attack.mitre.org/tactics/TA0002/", info.at("/attacks/0/tactic/src_url").asText());
  }

  @Test
  void shouldDescribeTheDeviceAndEachEvidencedProcessWithItsCommandLineAndLineage()
      throws Exception {
    JsonNode f = finding(TestAlerts.open(2).build());
    assertEquals("00000000000000000000000000005a17c31d155c", f.at("/device/uid").asText());
    assertEquals("web-iis-03.telco.example", f.at("/device/hostname").asText());
    assertEquals("web-iis-03", f.at("/device/name").asText());
    assertEquals("telco.example", f.at("/device/domain").asText());
    assertEquals(4, f.get("severity_id").asInt());
    assertEquals("High", f.get("severity").asText());
    JsonNode evidences = f.get("evidences");
    assertEquals(2, evidences.size());
    JsonNode p = evidences.get(1).get("process");
    assertEquals("cmd.exe /c ipconfig /all", p.get("cmd_line").asText());
    assertEquals(18301, p.get("pid").asInt());
    assertEquals("cmd.exe", p.get("name").asText());
    assertEquals("DefaultAppPool", p.at("/user/name").asText());
    assertEquals("[\"svchost.exe\",\"w3wp.exe\",\"cmd.exe\"]", p.get("lineage").toString());
    assertEquals(TestAlerts.LAST.toEpochMilli(), p.get("created_time").asLong());
    assertEquals(OcsfDetectionFinding.OCSF_VERSION, f.at("/metadata/version").asText());
    assertEquals("Web-shell detector", f.at("/metadata/product/name").asText());
  }

  @Test
  void shouldStayValidWithoutProcessIdsWithAnOddDeviceNameAndWithRuleValuesOutsideTheTable()
      throws Exception {
    WebShellAlert a =
        TestAlerts.open(1)
            .setDeviceName("WEB_IIS 03")
            .setHostName("WEB_IIS 03")
            .setDnsDomain(null)
            .setSeverity("Severe")
            .setTactics(List.of("Execution", "Blending In"))
            .setTechniques(List.of("T1059.003", "T1999", "not-a-technique"))
            .setEvidence(
                List.of(
                    TestAlerts.evidence(TestAlerts.FIRST, null, "cmd /c whoami", null),
                    TestAlerts.evidence(TestAlerts.LAST, 5_000_000_000L, "cmd /c ping x", "svc")))
            .build();
    JsonNode f = finding(a);
    assertEquals(List.of(), OCSF.validate(f), f.toString());
    assertFalse(f.get("device").has("hostname"), "not a hostname_t: left out");
    assertEquals(99, f.get("severity_id").asInt());
    assertEquals("Severe", f.get("severity").asText());
    assertFalse(f.at("/evidences/0/process").has("pid"));
    assertFalse(f.at("/evidences/1/process").has("pid"), "beyond OCSF's integer_t");
    assertTrue(f.at("/evidences/0/process").has("uid"));
    JsonNode attacks = f.at("/finding_info/attacks");
    assertEquals("T1059", attacks.at("/0/technique/uid").asText());
    assertEquals("T1059.003", attacks.at("/0/sub_technique/uid").asText());
    assertEquals("Windows Command Shell", attacks.at("/0/sub_technique/name").asText());
    assertEquals("T1999", attacks.at("/1/technique/uid").asText());
    assertFalse(attacks.get(1).has("tactic"));
    assertEquals("Blending In", attacks.at("/2/tactic/name").asText());
  }

  @Test
  void shouldGiveTheSameProcessUidForTheSameEventAndAnotherForAnother() throws Exception {
    JsonNode a = finding(TestAlerts.open(1).build());
    JsonNode b = finding(TestAlerts.open(2).build());
    assertEquals(a.at("/evidences/0/process/uid"), b.at("/evidences/0/process/uid"));
    assertFalse(a.at("/evidences/0/process/uid").equals(a.at("/evidences/1/process/uid")));
  }

  @Test
  void shouldNotDependOnTheWallClock() throws Exception {
    WebShellAlert a = TestAlerts.open(2).build();
    byte[] first = OcsfDetectionFinding.toBytes(a);
    Thread.sleep(5);
    assertEquals(
        new String(first, StandardCharsets.UTF_8),
        new String(OcsfDetectionFinding.toBytes(a), StandardCharsets.UTF_8));
    assertTrue(finding(a).get("time").asLong() < Instant.now().toEpochMilli());
  }

  // The validator itself: each kind of fault it must catch.

  @Test
  void validatorShouldReportAMissingRequiredAttribute() throws Exception {
    ObjectNode f = (ObjectNode) finding(TestAlerts.open(1).build());
    f.remove("severity_id");
    ((ObjectNode) f.get("finding_info")).remove("title");
    List<String> problems = OCSF.validate(f);
    assertTrue(problems.contains("severity_id: required but missing"), problems.toString());
    assertTrue(problems.contains("finding_info.title: required but missing"), problems.toString());
  }

  @Test
  void validatorShouldReportAValueOutsideTheEnumerationAndACaptionThatDoesNotMatch()
      throws Exception {
    ObjectNode f = (ObjectNode) finding(TestAlerts.open(1).build());
    f.put("activity_id", 7);
    f.put("severity", "Critical");
    List<String> problems = OCSF.validate(f);
    assertTrue(
        problems.stream().anyMatch(p -> p.startsWith("activity_id: 7 is not one of")),
        problems.toString());
    assertTrue(
        problems.contains("severity: must be the caption 'High' of severity_id 4"),
        problems.toString());
    assertTrue(
        problems.stream().anyMatch(p -> p.startsWith("type_uid: must be")), problems.toString());
  }

  @Test
  void validatorShouldReportWrongTypesUnknownAttributesAndBrokenConstraints() throws Exception {
    ObjectNode f = (ObjectNode) finding(TestAlerts.open(1).build());
    f.put("time", "2026-11-02T22:09:30Z");
    f.put("risk", "high");
    ObjectNode process = (ObjectNode) f.at("/evidences/0/process");
    process.remove("uid");
    process.remove("pid");
    process.put("pid", 3_000_000_000L);
    ((ObjectNode) f.get("device")).put("hostname", "bad host");
    f.putObject("cloud").put("provider", "x");
    List<String> problems = OCSF.validate(f);
    assertTrue(problems.contains("time: STRING is not a timestamp_t"), problems.toString());
    assertTrue(
        problems.contains("risk: not an attribute of this class or object"), problems.toString());
    assertTrue(
        problems.contains("evidences[0].process.pid: NUMBER is not a integer_t"),
        problems.toString());
    assertTrue(
        problems.contains("device.hostname: 'bad host' does not match hostname_t"),
        problems.toString());
    assertTrue(
        problems.contains(
            "cloud: belongs to profile 'cloud', which metadata.profiles does not list"),
        problems.toString());
    process.remove("pid");
    assertTrue(
        OCSF.validate(f)
            .contains("evidences[0].process.*: needs at least one of [\"pid\",\"uid\"]"),
        OCSF.validate(f).toString());
  }
}
