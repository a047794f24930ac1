package dev.webshell.detector.siem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webshell.schema.WebShellAlert;
import java.util.List;
import org.junit.jupiter.api.Test;

class EcsAlertTest {
  static final EcsValidator ECS = EcsValidator.load("/ecs/ecs-8.17.0-fields.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode doc(WebShellAlert a) throws Exception {
    return JSON.readTree(EcsAlert.toBytes(a));
  }

  @Test
  void shouldBeValidEcsForEveryRevisionOfTheSample() throws Exception {
    for (WebShellAlert a : OcsfDetectionFindingTest.sampleAlerts()) {
      JsonNode d = doc(a);
      assertEquals(List.of(), ECS.validate(d, EcsAlert.CUSTOM), d.toString());
      assertEquals(a.getAlertId(), d.at("/webshell_detector/alert_id").asText());
    }
  }

  @Test
  void shouldTargetTheEcsVersionTheChecksAreExtractedFrom() {
    assertEquals(ECS.version(), EcsAlert.ECS_VERSION);
  }

  @Test
  void shouldBeAnAlertWithTheRuleTheHostAndTheLatestListedProcess() throws Exception {
    JsonNode d = doc(TestAlerts.open(2).build());
    assertEquals("alert", d.at("/event/kind").asText());
    assertEquals("[\"process\",\"intrusion_detection\"]", d.at("/event/category").toString());
    assertEquals("alert-updated", d.at("/event/action").asText());
    assertEquals(73, d.at("/event/severity").asInt());
    assertEquals("2026-11-02T22:09:30.000000Z", d.get("@timestamp").asText());
    assertEquals("fa2f7d8a-6726-465a-aa72-6f6e3d4c99d7", d.at("/rule/id").asText());
    assertEquals("kql", d.at("/rule/ruleset").asText());
    assertEquals("00000000000000000000000000005a17c31d155c", d.at("/host/id").asText());
    assertEquals("web-iis-03.telco.example", d.at("/host/name").asText());
    assertEquals("web-iis-03", d.at("/host/hostname").asText());
    assertEquals("cmd.exe", d.at("/process/name").asText());
    assertEquals(18301, d.at("/process/pid").asLong());
    assertEquals("cmd.exe /c ipconfig /all", d.at("/process/command_line").asText());
    assertEquals("w3wp.exe", d.at("/process/parent/name").asText());
    assertEquals("DefaultAppPool", d.at("/user/name").asText());
    assertTrue(d.get("message").asText().contains("web-iis-03.telco.example"));
    assertEquals("open", d.at("/webshell_detector/status").asText());
    assertEquals(2, d.at("/webshell_detector/command_lines").size());
  }

  @Test
  void shouldNameTheMitreAttackTacticsAndTechniquesWithTheirIdsAndLinks() throws Exception {
    JsonNode t = doc(TestAlerts.open(1).build()).get("threat");
    assertEquals("MITRE ATT&CK", t.get("framework").asText());
    assertEquals("[\"TA0002\",\"TA0005\",\"TA0007\"]", t.at("/tactic/id").toString());
    assertEquals(
        "[\"Execution\",\"Defense Evasion\",\"Discovery\"]", t.at("/tactic/name").toString());
    assertEquals("https://attack.mitre.org/tactics/TA0005/", t.at("/tactic/reference/1").asText());
    assertEquals("[\"T1059\",\"T1574\",\"T1087\",\"T1082\"]", t.at("/technique/id").toString());
    assertEquals(
        "[\"Command and Scripting Interpreter\",\"Hijack Execution Flow\",\"Account Discovery\","
            + "\"System Information Discovery\"]",
        t.at("/technique/name").toString());
    assertFalse(t.get("technique").has("subtechnique"));
  }

  @Test
  void shouldMarkTheClosingRevisionAndDateItWhenTheWindowEmptied() throws Exception {
    JsonNode d = doc(TestAlerts.closed(4).build());
    assertEquals(List.of(), ECS.validate(d, EcsAlert.CUSTOM), d.toString());
    assertEquals("alert-closed", d.at("/event/action").asText());
    assertEquals("closed", d.at("/webshell_detector/status").asText());
    assertEquals(5, d.at("/webshell_detector/revision").asInt());
    assertEquals("2026-11-09T22:09:30.000000Z", d.get("@timestamp").asText());
    assertEquals("2026-11-02T22:09:30.000000Z", d.at("/event/end").asText());
  }

  @Test
  void shouldListSubTechniquesUnderTheirParentAndStayValidWithoutProcessIdOrAccount()
      throws Exception {
    WebShellAlert a =
        TestAlerts.open(1)
            .setTechniques(List.of("T1505.003", "T1059.001", "T1059.003"))
            .setEvidence(List.of(TestAlerts.evidence(TestAlerts.FIRST, null, "cmd /c ver", null)))
            .build();
    JsonNode d = doc(a);
    assertEquals("[\"T1505\",\"T1059\"]", d.at("/threat/technique/id").toString());
    assertEquals(
        "[\"T1505.003\",\"T1059.001\",\"T1059.003\"]",
        d.at("/threat/technique/subtechnique/id").toString());
    assertEquals("Web Shell", d.at("/threat/technique/subtechnique/name/0").asText());
    List<String> problems = ECS.validate(d, EcsAlert.CUSTOM);
    assertEquals(List.of("process.pid: required by Elastic Security but missing"), problems);
  }

  @Test
  void validatorShouldReportUnknownFieldsWrongTypesAndValuesOutsideTheAllowedOnes()
      throws Exception {
    ObjectNode d = (ObjectNode) doc(TestAlerts.open(1).build());
    ((ObjectNode) d.get("event")).put("kind", "detection");
    ((ObjectNode) d.get("event")).put("severity", "high");
    ((ObjectNode) d.get("process")).put("commandline", "x");
    ((ObjectNode) d.get("rule")).putArray("name").add("x");
    d.remove("ecs");
    List<String> problems = ECS.validate(d, EcsAlert.CUSTOM);
    assertTrue(
        problems.stream().anyMatch(p -> p.startsWith("event.kind: 'detection' is not one of")),
        problems.toString());
    assertTrue(
        problems.contains("event.severity: \"high\" is not a valid long"), problems.toString());
    assertTrue(
        problems.contains("process.commandline: not an ECS 8.17.0 field"), problems.toString());
    assertTrue(problems.contains("rule.name: must not be an array"), problems.toString());
    assertTrue(
        problems.contains("ecs.version: required by Elastic Security but missing"),
        problems.toString());
    assertTrue(
        ECS.validate(d, "host").contains("host: is an ECS field set, not free for custom fields"));
  }
}
