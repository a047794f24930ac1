package dev.webshell.detector.rule;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleTest {
  private final Rule rule = new Rule(RuleSpec.seed());

  private boolean matches(String fileName, String cmd, String initiating, String parent) {
    return rule.matches(fileName, cmd, initiating, parent);
  }

  @Test
  void shouldMatchIisWorkerSpawningCmdWhoami() {
    assertTrue(matches("cmd.exe", "cmd.exe /c whoami", "w3wp.exe", "svchost.exe"));
  }

  @Test
  void shouldMatchWhenTheWebServerIsTheGrandparent() {
    assertTrue(matches("cmd.exe", "cmd /c ipconfig /all", "cmd.exe", "w3wp.exe"));
    assertTrue(matches("powershell.exe", "powershell ping x", "cmd.exe", "beasvc.exe"));
    assertTrue(matches("cmd.exe", "cmd /c systeminfo", "cmd.exe", "httpd.exe"));
    assertTrue(matches("cmd.exe", "cmd /c systeminfo", "cmd.exe", "Tomcat9.exe"));
  }

  @Test
  void shouldNotMatchUppercaseParentBecauseInIsCaseSensitive() {
    assertFalse(matches("cmd.exe", "cmd.exe /c whoami", "W3WP.EXE", "svchost.exe"));
    assertFalse(matches("cmd.exe", "cmd.exe /c whoami", "cmd.exe", "W3wp.exe"));
    assertFalse(matches("cmd.exe", "cmd.exe /c whoami", "Httpd.exe", null));
  }

  @Test
  void shouldMatchTomcatPrefixIgnoringCaseButNotInsideAName() {
    assertTrue(matches("cmd.exe", "cmd /c whoami", "TOMCAT8.EXE", null));
    assertTrue(matches("cmd.exe", "cmd /c whoami", "tomcat9w.exe", null));
    assertFalse(matches("cmd.exe", "cmd /c whoami", "ws_TomcatService.exe", null));
  }

  @Test
  void shouldNotReduceFullPathsInTheKqlProfile() {
    assertFalse(
        matches("cmd.exe", "cmd /c whoami", "c:\\windows\\system32\\inetsrv\\w3wp.exe", null));
    assertFalse(matches("C:\\Windows\\System32\\cmd.exe", "cmd /c whoami", "w3wp.exe", null));
  }

  @Test
  void shouldMatchShellIgnoringCase() {
    assertTrue(matches("CMD.EXE", "cmd /c whoami", "w3wp.exe", null));
    assertTrue(matches("PowerShell.exe", "whoami", "w3wp.exe", null));
    assertFalse(matches("pwsh.exe", "whoami", "w3wp.exe", null));
    assertFalse(matches("powershell_ise.exe", "whoami", "w3wp.exe", null));
    assertFalse(matches("csc.exe", "csc /noconfig whoami", "w3wp.exe", null));
  }

  @Test
  void shouldMatchTempOnlyAsContainsAndTokensOnlyAsTerms() {
    assertTrue(matches("cmd.exe", "cmd /c copy x %TEMP%\\y", "w3wp.exe", null));
    assertTrue(matches("cmd.exe", "cmd /c copy x %temp%y", "w3wp.exe", null));
    assertFalse(matches("cmd.exe", "cmd /c copy x C:\\Windows\\Temp\\y", "w3wp.exe", null));
    assertFalse(matches("cmd.exe", "cmd /c mapping.bat", "w3wp.exe", null));
    assertTrue(matches("cmd.exe", "cmd /c ping_sweep.bat", "w3wp.exe", null));
    assertFalse(matches("cmd.exe", "cmd /c wget64 http://x", "w3wp.exe", null));
    assertTrue(matches("cmd.exe", "cmd /c echo a&whoami", "w3wp.exe", null));
    assertTrue(matches("cmd.exe", "cmd /c dir|TIMEOUT 5", "w3wp.exe", null));
    assertTrue(matches("cmd.exe", "cmd /c certutil>x", "w3wp.exe", null));
  }

  @Test
  void shouldNotMatchWhenAFieldIsNullOrEmpty() {
    assertFalse(matches(null, "cmd /c whoami", "w3wp.exe", null));
    assertFalse(matches("cmd.exe", null, "w3wp.exe", null));
    assertFalse(matches("cmd.exe", "", "w3wp.exe", null));
    assertFalse(matches("cmd.exe", "cmd /c whoami", null, null));
    assertFalse(matches("cmd.exe", "cmd /c whoami", "", ""));
  }

  @Test
  void shouldNotMatchShellUnderOtherParents() {
    assertFalse(matches("cmd.exe", "cmd /c whoami", "explorer.exe", "userinit.exe"));
  }

  @Test
  void shouldReadListsFromTheSpec() {
    RuleSpec seed = RuleSpec.seed();
    RuleSpec tuned =
        new RuleSpec(
            seed.id(),
            seed.name(),
            "2",
            "custom",
            seed.severity(),
            seed.tactics(),
            seed.techniques(),
            List.of("nginx.exe"),
            List.of(),
            List.of(),
            false,
            false,
            List.of("cmd.exe"),
            List.of(),
            List.of("nltest"),
            List.of(),
            Duration.ofDays(1),
            8,
            1024,
            8,
            64);
    Rule custom = new Rule(tuned);
    assertTrue(custom.matches("cmd.exe", "nltest /dclist", "nginx.exe", null));
    assertFalse(custom.matches("cmd.exe", "whoami", "nginx.exe", null));
    assertFalse(custom.matches("cmd.exe", "nltest", "w3wp.exe", null));
  }

  @Test
  void shouldRefuseRulesWithoutLists() {
    RuleSpec seed = RuleSpec.seed();
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new RuleSpec(
                seed.id(),
                seed.name(),
                "2",
                "x",
                "High",
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                false,
                false,
                List.of("cmd.exe"),
                List.of(),
                List.of("x"),
                List.of(),
                Duration.ofDays(7),
                128,
                1024,
                8,
                128));
  }
}
