package dev.webshell.detector.rule;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hardened profile's additions, one behaviour each, next to the kql profile's verdict. */
class HardenedRuleTest {
  private static final Rule KQL = new Rule(RuleFiles.builtIn("kql"));
  private static final Rule HARDENED = new Rule(RuleFiles.builtIn("hardened"));
  private static final String CATALINA =
      "\"C:\\Program Files\\Java\\jre\\bin\\java.exe\" -Dcatalina.home=C:\\tomcat"
          + " org.apache.catalina.startup.Bootstrap start";

  @Test
  void shouldNotMatchUppercaseParentBecauseInIsCaseSensitive() {
    assertFalse(KQL.matches("cmd.exe", "cmd /c whoami", "W3WP.EXE", "svchost.exe"));
    assertFalse(KQL.matches("cmd.exe", "cmd /c whoami", "svchost.exe", "W3wp.exe"));
  }

  @Test
  void shouldMatchUppercaseParentWhenLineageIgnoresCase() {
    assertTrue(HARDENED.matches("cmd.exe", "cmd /c whoami", "W3WP.EXE", "svchost.exe"));
    assertTrue(HARDENED.matches("cmd.exe", "cmd /c whoami", "svchost.exe", "W3wp.exe"));
  }

  @Test
  void shouldCompareFullPathsAsFileNamesOnlyInHardened() {
    String parent = "C:\\Windows\\System32\\inetsrv\\w3wp.exe";
    assertFalse(KQL.matches("cmd.exe", "cmd /c whoami", parent, null));
    assertTrue(HARDENED.matches("cmd.exe", "cmd /c whoami", parent, null));
    assertTrue(HARDENED.matches("C:/Windows/System32/CMD.EXE", "cmd /c whoami", "w3wp.exe", null));
    assertTrue(HARDENED.matches("cmd.exe", "cmd /c whoami", "D:\\Tomcat9\\bin\\tomcat9.exe", null));
  }

  @Test
  void shouldNotTakeAPathThatOnlyEndsLikeAWebServerForOne() {
    assertFalse(HARDENED.matches("cmd.exe", "cmd /c whoami", "C:\\tools\\not-w3wp.exe", null));
    assertFalse(HARDENED.matches("cmd.exe", "cmd /c whoami", "C:\\w3wp.exe\\", null));
  }

  @Test
  void shouldMatchJavaOnlyWhenItsCommandLineShowsCatalina() {
    assertTrue(HARDENED.matches("cmd.exe", "cmd /c whoami", "java.exe", "cmd.exe", CATALINA));
    assertTrue(HARDENED.matches("cmd.exe", "cmd /c whoami", "JAVAW.EXE", null, CATALINA));
    assertFalse(
        HARDENED.matches(
            "cmd.exe", "cmd /c whoami", "java.exe", null, "java -jar C:\\Jenkins\\jenkins.war"));
    assertFalse(HARDENED.matches("cmd.exe", "cmd /c whoami", "java.exe", null, null));
    assertFalse(KQL.matches("cmd.exe", "cmd /c whoami", "java.exe", null, CATALINA));
  }

  @Test
  void shouldNotMatchJavaAsParentBecauseItsCommandLineIsNotInTheEvent() {
    // the four-argument form has no command line; the parent's command line is never available
    assertFalse(HARDENED.matches("cmd.exe", "cmd /c whoami", "java.exe", null));
    assertFalse(HARDENED.matches("cmd.exe", "cmd /c whoami", "cmd.exe", "java.exe", CATALINA));
  }

  @Test
  void shouldMatchNetUserAsAllTermsInAnySpelling() {
    for (String line :
        List.of(
            "cmd /c net user",
            "cmd /c net.exe user /domain",
            "cmd /c NET  USER admin",
            "cmd /c \"net\" localgroup administrators",
            "cmd /c net1 group \"Domain Admins\" /domain",
            "cmd /c query user")) {
      assertTrue(HARDENED.isSuspiciousCommand(line), line);
      assertFalse(KQL.isSuspiciousCommand(line), line);
    }
  }

  @Test
  void shouldNotMatchNetAloneOrNetUserFusedIntoOneTerm() {
    for (String line :
        List.of(
            "cmd /c net start W3SVC",
            "cmd /c netuser-sync.bat",
            "cmd /c dotnet user-secrets list",
            "cmd /c C:\\Users\\net\\run.bat")) {
      assertFalse(HARDENED.isSuspiciousCommand(line), line);
    }
  }

  @Test
  void shouldMatchEncodedCommandSpellingsButNotExecutionPolicy() {
    assertTrue(HARDENED.isSuspiciousCommand("powershell -enc SQBFAFgA"));
    assertTrue(HARDENED.isSuspiciousCommand("powershell -EC SQBFAFgA"));
    assertTrue(HARDENED.isSuspiciousCommand("powershell -EncodedCommand SQBFAFgA"));
    assertFalse(HARDENED.isSuspiciousCommand("powershell -ExecutionPolicy Bypass -File a.ps1"));
    assertFalse(HARDENED.isSuspiciousCommand("tool --encoding utf8"));
  }

  @Test
  void shouldMatchMoreShellsAndDirectToolsOnlyInHardened() {
    for (String child : List.of("pwsh.exe", "powershell_ise.exe", "whoami.exe", "NET.EXE")) {
      assertTrue(HARDENED.isShell(child), child);
      assertFalse(KQL.isShell(child), child);
    }
    assertFalse(HARDENED.isShell("csc.exe"));
    assertFalse(HARDENED.isShell("cvtres.exe"));
  }

  @Test
  void shouldKeepTheKqlProfileExactlyOnTheSeedExamples() {
    assertTrue(KQL.matches("CMD.EXE", "cmd /c PING.EXE -n 1 host", "Tomcat9.exe", null));
    assertTrue(KQL.matches("cmd.exe", "cmd /c ping_sweep.bat", null, "httpd.exe"));
    assertFalse(KQL.matches("cmd.exe", "cmd /c mapping.bat", "w3wp.exe", null));
    assertFalse(KQL.matches("cmd.exe", "cmd /c pinger", "w3wp.exe", null));
    assertTrue(
        KQL.matches("cmd.exe", "x C:\\Users\\x\\AppData\\%TEMP%\\a.bat", "beasvc.exe", null));
    assertFalse(KQL.matches(null, "cmd /c whoami", "w3wp.exe", null));
  }

  @Test
  void shouldRejectAnAllTermsGroupBeyondSixtyFourDistinctTerms() {
    List<List<String>> groups = new ArrayList<>();
    for (int i = 0; i < 65; i++) {
      groups.add(List.of("t" + i));
    }
    assertThrows(IllegalArgumentException.class, () -> new AllTermsMatcher(groups));
    assertThrows(
        IllegalArgumentException.class, () -> new AllTermsMatcher(List.of(List.of("net user"))));
  }

  @Test
  void shouldNotAllocateWhileMatching() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    String parent = "C:\\Windows\\System32\\inetsrv\\W3WP.EXE";
    String child = "C:\\Windows\\System32\\cmd.exe";
    String line = "cmd.exe /c net.exe user /domain & echo done";
    boolean all = true;
    for (int i = 0; i < 20_000; i++) { // warm up: let the JIT compile the hot path
      all &= HARDENED.matches(child, line, parent, "svchost.exe", CATALINA);
    }
    long tid = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 100_000; i++) {
      all &= HARDENED.matches(child, line, parent, "svchost.exe", CATALINA);
      all &= !HARDENED.matches(child, "cmd /c echo ok", "java.exe", null, CATALINA + " x");
    }
    long allocated = threads.getThreadAllocatedBytes(tid) - before;
    assertTrue(all);
    // a substring per event would be >= 200,000 * 24 bytes; allow a little measurement noise
    assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes");
  }
}
