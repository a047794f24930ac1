package dev.webshell.detector.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.siem.TestAlerts;
import dev.webshell.schema.WebShellAlert;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AlertJsonTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void shouldReadBackExactlyWhatItWrote() {
    for (WebShellAlert a :
        new WebShellAlert[] {TestAlerts.open(1).build(), TestAlerts.closed(3).build()}) {
      assertEquals(a, AlertJson.fromJson(utf8(AlertJson.toJson(a))));
    }
  }

  @Test
  void shouldReadEveryRevisionOfTheSampleAndWriteItByteForByte() throws Exception {
    for (String line : Files.readAllLines(Path.of("../samples/softcell.alerts.jsonl"))) {
      assertEquals(line, AlertJson.toJson(AlertJson.fromJson(utf8(line))));
    }
  }

  @Test
  void shouldTakeTheDefaultStatusOpenFromAnOlderWriterAndIgnoreANewerWritersExtraField() {
    String json = AlertJson.toJson(TestAlerts.open(2).build());
    String older = json.replace(",\"status\":\"open\"", "");
    assertTrue(older.length() < json.length());
    assertEquals("open", AlertJson.fromJson(utf8(older)).getStatus());
    String newer = json.replace("{\"alertId\"", "{\"somethingNew\":[1,{\"x\":2}],\"alertId\"");
    assertEquals(TestAlerts.open(2).build(), AlertJson.fromJson(utf8(newer)));
  }

  @Test
  void shouldRefuseWhatIsNotAnAlertSayingWhy() {
    assertEquals(
        "missing field alertId",
        assertThrows(IllegalArgumentException.class, () -> AlertJson.fromJson(utf8("{}")))
            .getMessage());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> AlertJson.fromJson(utf8("{\"a\":")))
            .getMessage()
            .startsWith("not JSON"));
    String badTime =
        AlertJson.toJson(TestAlerts.open(1).build())
            .replace(
                "\"firstSeen\":\"2026-11-02T22:03:00.123456Z\"", "\"firstSeen\":\"yesterday\"");
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> AlertJson.fromJson(utf8(badTime)))
            .getMessage()
            .startsWith("firstSeen: "));
    String badEvidence =
        AlertJson.toJson(TestAlerts.open(1).build())
            .replace("\"processId\":18228", "\"processId\":\"x\"");
    assertEquals(
        "evidence[0].processId must be a long",
        assertThrows(IllegalArgumentException.class, () -> AlertJson.fromJson(utf8(badEvidence)))
            .getMessage());
  }
}
