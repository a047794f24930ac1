package dev.webshell.detector.topology;

import static java.time.Duration.ofDays;
import static java.time.Duration.ofHours;
import static java.time.Duration.ofMinutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.rule.RuleSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC section 4, rule by rule, on the production topology in a TopologyTestDriver. */
class AlertRevisionsTest {
  @TempDir Path stateDir;
  private TopologyHarness detector;

  @BeforeEach
  void start() {
    detector = new TopologyHarness(RuleSpec.seed(), stateDir);
  }

  @AfterEach
  void stop() {
    detector.close();
  }

  private static List<String> lines(JsonNode alert) {
    List<String> l = new ArrayList<>();
    alert.get("commandLines").forEach(n -> l.add(n.asText()));
    return l;
  }

  @Test
  void shouldEmitRevisionOneOnTheFirstMatch() {
    List<JsonNode> out = detector.send(Ev.at(Duration.ZERO).report(7).pid(4242));
    assertEquals(1, out.size());
    JsonNode a = out.get(0);
    assertEquals(1, a.get("revision").asInt());
    assertEquals("dev-1", a.get("deviceId").asText());
    assertEquals("web01", a.get("hostName").asText());
    assertEquals("contoso.com", a.get("dnsDomain").asText());
    assertEquals("2026-11-02T10:00:00.000000Z", a.get("firstSeen").asText());
    assertEquals("2026-11-02T10:00:00.000000Z", a.get("lastSeen").asText());
    assertEquals("2026-10-26T10:00:00.000000Z", a.get("windowStart").asText());
    assertEquals(1, a.get("matchCount").asInt());
    assertEquals(List.of("cmd.exe /c whoami"), lines(a));
    assertEquals("fa2f7d8a-6726-465a-aa72-6f6e3d4c99d7", a.get("ruleId").asText());
    assertEquals("High", a.get("severity").asText());
    assertEquals("[\"T1059\",\"T1574\",\"T1087\",\"T1082\"]", a.get("techniques").toString());
    assertEquals(7, a.get("evidence").get(0).get("reportId").asInt());
    assertEquals(4242, a.get("evidence").get(0).get("processId").asInt());
  }

  @Test
  void shouldEmitNothingForARepeatedCommandLine() {
    detector.send(Ev.at(Duration.ZERO));
    assertTrue(detector.send(Ev.at(ofMinutes(5))).isEmpty());
    assertTrue(detector.send(Ev.at(ofDays(3))).isEmpty());
  }

  @Test
  void shouldEmitNothingForNonMatchingEvents() {
    assertTrue(detector.send(Ev.at(Duration.ZERO).initiating("W3WP.EXE")).isEmpty());
    assertTrue(detector.send(Ev.at(Duration.ZERO).cmd("cmd /c mapping.bat")).isEmpty());
    assertTrue(detector.send(Ev.at(Duration.ZERO).file("notepad.exe")).isEmpty());
  }

  @Test
  void shouldEmitANewRevisionWithTheFullWindowWhenANewCommandLineArrives() {
    JsonNode r1 = detector.send(Ev.at(Duration.ZERO)).get(0);
    detector.send(Ev.at(ofMinutes(1)));
    JsonNode r2 = detector.send(Ev.at(ofMinutes(2)).cmd("cmd /c ipconfig /all")).get(0);
    assertEquals(r1.get("alertId"), r2.get("alertId"));
    assertEquals(2, r2.get("revision").asInt());
    assertEquals(3, r2.get("matchCount").asInt());
    assertEquals(List.of("cmd.exe /c whoami", "cmd /c ipconfig /all"), lines(r2));
    assertEquals(2, r2.get("commandLineCount").asInt());
    assertEquals("2026-11-02T10:00:00.000000Z", r2.get("firstSeen").asText());
    assertEquals("2026-11-02T10:02:00.000000Z", r2.get("lastSeen").asText());
  }

  @Test
  void shouldOpenASecondAlertWhenMatchesSpanMoreThanSevenDaysWithAGap() {
    JsonNode first = detector.send(Ev.at(Duration.ZERO)).get(0);
    List<JsonNode> out = detector.send(Ev.at(ofDays(8)));
    assertEquals(2, out.size(), "the first alert closes, then the second opens");
    assertEquals(first.get("alertId"), out.get(0).get("alertId"));
    assertEquals("closed", out.get(0).get("status").asText());
    JsonNode second = out.get(1);
    assertNotEquals(first.get("alertId"), second.get("alertId"));
    assertEquals(1, second.get("revision").asInt());
    assertEquals(1, second.get("matchCount").asInt());
  }

  @Test
  void shouldOpenANewAlertForAMatchExactlySevenDaysAfterThePreviousOne() {
    JsonNode first = detector.send(Ev.at(Duration.ZERO)).get(0);
    List<JsonNode> out = detector.send(Ev.at(ofDays(7)));
    assertEquals("closed", out.get(0).get("status").asText(), "the window emptied: it closes");
    JsonNode second = out.get(1);
    assertNotEquals(first.get("alertId"), second.get("alertId"));
    assertEquals(1, second.get("revision").asInt());
    assertEquals("2026-11-09T10:00:00.000000Z", second.get("firstSeen").asText());
  }

  @Test
  void shouldKeepTheAlertOpenForAMatchJustUnderSevenDaysLater() {
    JsonNode first = detector.send(Ev.at(Duration.ZERO)).get(0);
    assertTrue(detector.send(Ev.at(ofDays(7).minusNanos(1000))).isEmpty());
    JsonNode r2 = detector.send(Ev.at(ofDays(7).minusNanos(1000)).cmd("cmd /c ping x")).get(0);
    assertEquals(first.get("alertId"), r2.get("alertId"));
    assertEquals(3, r2.get("matchCount").asInt());
  }

  @Test
  void shouldEmitWhenACommandLineLeavesTheWindow() {
    detector.send(Ev.at(Duration.ZERO).cmd("cmd /c whoami"));
    detector.send(Ev.at(ofDays(2)).cmd("cmd /c ipconfig"));
    // at day 7 + 1h, whoami (day 0) has left; ipconfig repeats: the set is now {ipconfig}
    List<JsonNode> out = detector.send(Ev.at(ofDays(7).plus(ofHours(1))).cmd("cmd /c ipconfig"));
    assertEquals(1, out.size());
    JsonNode r = out.get(0);
    assertEquals(3, r.get("revision").asInt());
    assertEquals(List.of("cmd /c ipconfig"), lines(r));
    assertEquals(2, r.get("matchCount").asInt());
    assertEquals("2026-11-04T10:00:00.000000Z", r.get("firstSeen").asText());
  }

  @Test
  void shouldNotEmitWhenALineLeavesAndComesBackInTheSameEvent() {
    detector.send(Ev.at(Duration.ZERO).cmd("cmd /c whoami"));
    detector.send(Ev.at(ofDays(1)).cmd("cmd /c ipconfig"));
    // whoami leaves at day 7.5 and is the new event's line: the set stays {whoami, ipconfig}
    assertTrue(detector.send(Ev.at(ofDays(7).plus(ofHours(12))).cmd("cmd /c whoami")).isEmpty());
  }

  @Test
  void shouldKeepDevicesApartWhenInterleaved() {
    JsonNode a1 = detector.send(Ev.at(Duration.ZERO).device("a")).get(0);
    JsonNode b1 = detector.send(Ev.at(ofMinutes(1)).device("b").name("web02")).get(0);
    assertTrue(detector.send(Ev.at(ofMinutes(2)).device("a")).isEmpty());
    JsonNode b2 = detector.send(Ev.at(ofMinutes(3)).device("b").cmd("cmd /c ping h")).get(0);
    JsonNode a2 = detector.send(Ev.at(ofMinutes(4)).device("a").cmd("cmd /c ping h")).get(0);
    assertNotEquals(a1.get("alertId"), b1.get("alertId"));
    assertEquals(b1.get("alertId"), b2.get("alertId"));
    assertEquals(a1.get("alertId"), a2.get("alertId"));
    assertEquals(2, a2.get("revision").asInt());
    assertEquals(3, a2.get("matchCount").asInt());
    assertEquals(2, b2.get("matchCount").asInt());
    assertEquals("web02", b2.get("deviceName").asText());
    assertTrue(b2.get("dnsDomain").isNull());
  }

  @Test
  void shouldCapCommandLinesButCountThemAllAndCompareTheFullSet() {
    RuleSpec seed = RuleSpec.seed();
    detector.close();
    detector =
        new TopologyHarness(seed.withBounds(seed.lookback(), 3, 64, 4096), stateDir.resolve("cap"));
    JsonNode last = null;
    for (int i = 0; i < 5; i++) {
      List<JsonNode> out = detector.send(Ev.at(ofMinutes(i)).cmd("cmd /c ping host" + i));
      assertEquals(1, out.size(), "every new line is a new revision, listed or not");
      last = out.get(0);
    }
    assertEquals(
        List.of("cmd /c ping host0", "cmd /c ping host1", "cmd /c ping host2"), lines(last));
    assertEquals(5, last.get("commandLineCount").asInt());
    assertTrue(last.get("truncated").asBoolean());
    assertEquals(3, last.get("evidence").size());
    assertEquals(5, last.get("revision").asInt());
  }

  @Test
  void shouldDropAMatchOlderThanStreamTimeMinusLookbackAndCountNothing() {
    detector.send(Ev.at(ofDays(10)).device("other").file("notepad.exe"));
    // stream time is day 10: a match at day 3 is outside the query's ago(7d)
    assertTrue(detector.send(Ev.at(ofDays(3))).isEmpty());
    // and exactly at the boundary too (not after streamTime - 7d)
    assertTrue(detector.send(Ev.at(ofDays(3))).isEmpty());
    assertEquals(1, detector.send(Ev.at(ofDays(3).plusNanos(1000))).size());
  }

  @Test
  void shouldPlaceAnOutOfOrderMatchByItsTimestamp() {
    detector.send(Ev.at(ofHours(5)).cmd("cmd /c whoami"));
    JsonNode r =
        detector.send(Ev.at(ofHours(1)).cmd("cmd /c ping h").file("powershell.exe")).get(0);
    assertEquals(List.of("cmd /c ping h", "cmd /c whoami"), lines(r));
    assertEquals("2026-11-02T11:00:00.000000Z", r.get("firstSeen").asText());
    assertEquals("2026-11-02T15:00:00.000000Z", r.get("lastSeen").asText());
    assertEquals("powershell.exe", r.get("fileName").asText());
    assertEquals("[\"powershell.exe\",\"cmd.exe\"]", r.get("fileNames").toString());
  }

  @Test
  void shouldDeriveTheAlertIdFromRuleDeviceAndFirstTimestampOnly() {
    String id = detector.send(Ev.at(Duration.ZERO)).get(0).get("alertId").asText();
    detector.close();
    detector = new TopologyHarness(RuleSpec.seed(), stateDir.resolve("again"));
    String again =
        detector
            .send(Ev.at(Duration.ZERO).cmd("cmd /c ping x").report(99))
            .get(0)
            .get("alertId")
            .asText();
    assertEquals(id, again);
  }

  @Test
  void shouldCarryTheTimestampToTheMicrosecondAndCutFinerDigits() {
    JsonNode a =
        detector
            .send(
                "{\"Timestamp\":\"2021-04-14T18:49:17.7849324Z\",\"DeviceId\":\"d\","
                    + "\"FileName\":\"cmd.exe\",\"ProcessCommandLine\":\"whoami\","
                    + "\"InitiatingProcessFileName\":\"w3wp.exe\"}")
            .get(0);
    assertEquals("2021-04-14T18:49:17.784932Z", a.get("firstSeen").asText());
  }

  @Test
  void shouldCutVeryLongCommandLinesAndSayItButStillAlert() {
    String huge = "cmd /c whoami " + "A".repeat(1_000_000);
    JsonNode a = detector.send(Ev.at(Duration.ZERO).cmd(huge)).get(0);
    assertTrue(a.get("commandLinesCut").asBoolean());
    assertEquals(RuleSpec.seed().maxCommandLineLength(), lines(a).get(0).length());
    // a different line with the same first 32 KiB is another line
    List<JsonNode> out = detector.send(Ev.at(ofMinutes(1)).cmd(huge + "B"));
    assertEquals(1, out.size());
    assertEquals(2, out.get(0).get("commandLineCount").asInt());
  }

  @Test
  void shouldSendUnreadableRecordsToDeadLettersAndGoOn() {
    detector.sendBytes("not json".getBytes(StandardCharsets.UTF_8));
    detector.sendBytes(new byte[] {0, 0, 0, 0, 1, 2});
    detector.send("{\"DeviceId\":\"x\"}");
    assertEquals(1, detector.send(Ev.at(Duration.ZERO)).size());
    assertEquals(3, detector.deadLetters.getQueueSize());
    var first = detector.deadLetters.readRecord();
    assertEquals("not json", new String(first.value(), StandardCharsets.UTF_8));
    assertEquals(
        "unknown-format",
        new String(
            first.headers().lastHeader(DeadLetters.ERROR_REASON).value(), StandardCharsets.UTF_8));
    assertEquals(
        "events",
        new String(
            first.headers().lastHeader(DeadLetters.SOURCE_TOPIC).value(), StandardCharsets.UTF_8));
    assertEquals(
        "0",
        new String(
            first.headers().lastHeader(DeadLetters.SOURCE_OFFSET).value(), StandardCharsets.UTF_8));
    assertFalse(detector.deadLetters.readRecord().headers().toArray().length == 0);
  }

  @Test
  void shouldKeepGoodEnvelopeRecordsAndDeadLetterTheBadOne() {
    String good =
        new Ev()
            .json()
            .replace(
                "\"Timestamp\":\"1970-01-01T00:00:00.000000Z\"",
                "\"Timestamp\":\"2026-11-02T10:00:00Z\"");
    String envelope =
        "{\"records\":[{\"category\":\"AdvancedHunting-DeviceProcessEvents\",\"properties\":"
            + good
            + "},{\"category\":\"AdvancedHunting-DeviceProcessEvents\",\"properties\":\"oops\"},"
            + "{\"category\":\"AdvancedHunting-DeviceNetworkEvents\",\"properties\":{}}]}";
    assertEquals(1, detector.send(envelope).size());
    assertEquals(1, detector.deadLetters.getQueueSize());
    var dl = detector.deadLetters.readRecord();
    assertEquals(
        "{\"category\":\"AdvancedHunting-DeviceProcessEvents\",\"properties\":\"oops\"}",
        new String(dl.value(), StandardCharsets.UTF_8));
    assertEquals(
        "1",
        new String(
            dl.headers().lastHeader(DeadLetters.ENVELOPE_INDEX).value(), StandardCharsets.UTF_8));
  }
}
