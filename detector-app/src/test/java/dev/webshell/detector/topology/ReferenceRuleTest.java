package dev.webshell.detector.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reference's predicate checked against the documents alone, never against the detector: the
 * labelled variants of docs/rules.md and the examples of SPEC 2 and docs/semantics.md item 12. A
 * differential test is only as good as its reference.
 */
class ReferenceRuleTest {
  private final ReferenceRule kql = ReferenceRule.kql();
  private final ReferenceRule hardened = ReferenceRule.hardened();

  @Test
  void shouldGiveEveryLabelledVariantTheVerdictsOfItsRowUnderBothProfiles() throws IOException {
    List<String> rows =
        Files.readAllLines(Path.of("../samples/variants.jsonl"), StandardCharsets.UTF_8);
    int checked = 0;
    for (String line : rows) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode row = Ev.JSON.readTree(line);
      Ev e = ReferenceDetector.fromRow(row);
      String id = row.get("DeviceId").asText();
      assertEquals(row.get("_expectKql").asBoolean(), kql.matches(e), id + " under kql");
      assertEquals(
          row.get("_expectHardened").asBoolean(), hardened.matches(e), id + " under hardened");
      checked++;
    }
    assertEquals(41, checked);
  }

  @Test
  void shouldMatchWholeTermsAsTheSpecTableOfHasSays() {
    assertTrue(ReferenceRule.has("cmd /c ping 10.0.0.1", "ping"));
    assertTrue(ReferenceRule.has("cmd /c PING.EXE -n 1 host", "ping"));
    assertTrue(ReferenceRule.has("cmd /c ping_sweep.bat", "ping"));
    assertFalse(ReferenceRule.has("cmd /c mapping.bat", "ping"));
    assertFalse(ReferenceRule.has("cmd /c pinger", "ping"));
  }

  @Test
  void shouldFoldAsciiCaseOnlyAndSeparateTermsAtEveryNonAsciiCharacter() {
    assertFalse(ReferenceRule.has("cmd /c ＷＨＯＡＭＩ", "whoami"));
    assertFalse(ReferenceRule.has("cmd /c whoamі", "whoami")); // Cyrillic і ends the term
    assertTrue(ReferenceRule.has("cmd /c whoamiі", "whoami")); // ... and separates it
    assertFalse(ReferenceRule.has("cmd /c ſysteminfo", "systeminfo")); // long s folds in Java
    assertFalse(ReferenceRule.has("cmd /c systemınfo", "systeminfo")); // dotless i likewise
    assertTrue(ReferenceRule.has("cmd /c ipconfig\u00a0/all", "ipconfig"));
    assertTrue(ReferenceRule.has("cmd\t/c\tSYSTEMINFO", "systeminfo"));
    assertTrue(ReferenceRule.has("cmd /c certutilé -decode", "certutil"));
    assertFalse(kql.command("cmd /c copy a %ＴＥＭＰ%\\b"));
    assertTrue(kql.command("cmd /c copy a %TeMp%\\b"));
    assertTrue(kql.child("CMD.EXE"));
    assertFalse(kql.child("ｃｍｄ.exe"));
    assertFalse(kql.child("cmd.exе")); // Cyrillic е
    assertFalse(kql.webServer("W3WP.EXE")); // in: case-sensitive
    assertTrue(hardened.webServer("W3WP.EXE")); // hardened: ignoreCase
    assertFalse(hardened.webServer("UMWor\u212aerProcess.exe")); // the Kelvin sign is no k
    assertTrue(kql.webServer("Tomcat9.exe"));
    assertFalse(kql.webServer("ＴＯＭＣＡＴ9.exe"));
  }

  @Test
  void shouldMatchTokensWithSeparatorsWhereTheirTermEndsAreNotExtended() {
    assertTrue(ReferenceRule.has("powershell -enc SQBF", "-enc"));
    assertTrue(ReferenceRule.has("powershell -ENC SQBF", "-enc"));
    assertTrue(ReferenceRule.has("powershell -encé x", "-enc"));
    assertTrue(ReferenceRule.has("powershell x-enc y", "-enc")); // '-' is no term character
    assertFalse(ReferenceRule.has("powershell -EncodedCommand x", "-enc"));
    assertFalse(ReferenceRule.has("powershell --encoding utf8", "-enc"));
    assertFalse(ReferenceRule.has("powershell -ExecutionPolicy Bypass", "-ec"));
    assertTrue(ReferenceRule.has("iwr; invoke-webrequest http://x", "Invoke-WebRequest"));
    assertFalse(ReferenceRule.has("Invoke-WebRequestX http://x", "Invoke-WebRequest"));
    assertFalse(ReferenceRule.has("xInvoke-WebRequest http://x", "Invoke-WebRequest"));
  }

  @Test
  void shouldNeedEveryTermOfAnAllTermsGroupAnywhereInTheLine() {
    assertTrue(hardened.command("cmd /c net user"));
    assertTrue(hardened.command("cmd /c net.exe user /domain"));
    assertTrue(hardened.command("cmd /c NET  USER"));
    assertTrue(hardened.command("cmd /c user x & net"));
    assertFalse(hardened.command("cmd /c net start w3svc"));
    assertFalse(hardened.command("cmd /c netuser.bat"));
    assertFalse(kql.command("cmd /c net user"));
  }

  @Test
  void shouldCountJavaAsAWebServerOnlyWhenItsOwnCommandLineRunsCatalina() {
    Ev catalina =
        Ev.at(java.time.Duration.ZERO)
            .initiating("C:\\jdk\\bin\\JAVA.EXE")
            .parent("services.exe")
            .initiatingCmd("java -Dcatalina.home=C:\\tomcat org.apache.catalina.startup.Bootstrap");
    assertTrue(hardened.matches(catalina));
    assertFalse(kql.matches(catalina));
    assertFalse(hardened.matches(catalina.initiatingCmd("java -jar jenkins.war")));
    assertFalse(hardened.matches(catalina.initiatingCmd("java -Dcatalinas=1 Main")));
    assertFalse(hardened.matches(catalina.initiatingCmd(null)));
    Ev grandparent =
        Ev.at(java.time.Duration.ZERO)
            .initiating("cmd.exe")
            .parent("java.exe")
            .initiatingCmd("java org.apache.catalina.startup.Bootstrap");
    assertFalse(hardened.matches(grandparent), "variant-33: only the initiating process");
  }
}
