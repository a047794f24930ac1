package dev.webshell.detector.rule;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.event.ProcessLineage;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * {@link Rule#mayMatch}, the screen the JSON decoder asks before it builds a row's command lines:
 * it may say yes when the rule then says no, never no when the rule could say yes for some command
 * lines. Proven over every combination of file names (shells in any case and with paths, web
 * servers, web-server prefixes, conditional web servers, lookalikes, benign names, null, empty) and
 * command lines (suspicious or not, the conditional servers' tokens, null), for every built-in
 * profile and for a rule whose conditional web server is compared case-sensitively.
 */
class RuleScreenTest {
  private static final String[] NAMES = {
    null,
    "",
    // shells
    "cmd.exe",
    "CMD.EXE",
    "Cmd.Exe",
    "powershell.exe",
    "PowerShell.EXE",
    "pwsh.exe",
    "whoami.exe",
    "C:\\Windows\\System32\\cmd.exe",
    "c:/tools/powershell.exe",
    "C:\\x\\",
    // web servers
    "w3wp.exe",
    "W3WP.EXE",
    "W3wp.exe",
    "c:\\windows\\system32\\inetsrv\\w3wp.exe",
    "httpd.exe",
    "beasvc.exe",
    "nginx.exe",
    "php-cgi.exe",
    "UMWorkerProcess.exe",
    "umworkerprocess.exe",
    "ws_TomcatService.exe",
    // web-server prefixes
    "tomcat",
    "tomcat9.exe",
    "Tomcat7w.exe",
    "TOMCAT8.EXE",
    "C:\\Tomcat\\bin\\tomcat9.exe",
    "xtomcat.exe",
    // conditional web servers
    "java.exe",
    "JAVA.EXE",
    "Java.exe",
    "javaw.exe",
    "C:\\jdk\\bin\\java.exe",
    "java",
    // benign and lookalikes
    "explorer.exe",
    "chrome.exe",
    "svchost.exe",
    "conhost.exe",
    "cmd.exe ",
    " cmd.exe",
    "\uff43md.exe",
    "w3wp.exe.bak",
    "w3wp",
    "cmd.exe\\"
  };

  private static final String[] COMMAND_LINES = {
    null,
    "",
    "cmd.exe /c whoami",
    "powershell -c ipconfig /all",
    "cmd /c copy %TEMP%\\a.txt b",
    "nltest /dclist:corp",
    "cmd /c echo ok"
  };

  private static final String[] LINEAGE_COMMAND_LINES = {
    null,
    "",
    "java -cp x org.apache.catalina.startup.Bootstrap start",
    "\"C:\\jdk\\bin\\java.exe\" -Dcatalina.home=C:\\tomcat",
    "java -jar app.jar",
    "w3wp.exe -ap \"DefaultAppPool\""
  };

  /** A lineage with keys: the creation takes the process tree's way. */
  private static final ProcessLineage TREE =
      new ProcessLineage(ProcessLineage.KeyKind.GUID, "child", "parent");

  private static List<Rule> rules() throws IOException {
    List<Rule> rules = new ArrayList<>();
    for (String profile : RuleFiles.profileNames()) {
      rules.add(new Rule(RuleFiles.builtIn(profile)));
    }
    // the seed's case-sensitive lineage with a conditional web server, which no profile has
    String yaml =
        resource("rules/kql.yaml")
            .replace(
                "webServerPrefixes: [tomcat]",
                "webServerPrefixes: [tomcat]\n"
                    + "  conditionalWebServers:\n"
                    + "    - fileName: java.exe\n"
                    + "      commandLineHasAny: [catalina]");
    Rule conditional = new Rule(RuleFiles.parse("test", "test", new StringReader(yaml)));
    assertFalse(conditional.spec().conditionalWebServers().isEmpty());
    assertFalse(conditional.spec().lineageIgnoreCase());
    rules.add(conditional);
    // and one that reduces paths to file names but compares the lineage exactly
    rules.add(
        new Rule(
            RuleFiles.parse(
                "test2",
                "test2",
                new StringReader(
                    yaml.replace(
                        "reducePathsToFileNames: false", "reducePathsToFileNames: true")))));
    return rules;
  }

  /**
   * Runs {@code check} on each of {@link #rules} with its label: the rule's profile, or {@code
   * custom-<index>} for the custom rules.
   */
  private static void forEveryRule(BiConsumer<Rule, String> check) throws IOException {
    List<Rule> rules = rules();
    for (int r = 0; r < rules.size(); r++) {
      Rule rule = rules.get(r);
      check.accept(
          rule, r < RuleFiles.profileNames().size() ? rule.spec().profile() : "custom-" + r);
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = RuleScreenTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void shouldNeverScreenOutARowTheRuleCouldMatch() throws IOException {
    forEveryRule(
        (rule, label) -> {
          long[] seen = new long[4]; // matches, may match but does not, screened out, combinations
          for (String fileName : NAMES) {
            for (String initiating : NAMES) {
              for (String parent : NAMES) {
                boolean may = rule.mayMatch(fileName, initiating, parent);
                for (String cmd : COMMAND_LINES) {
                  for (String initiatingCmd : LINEAGE_COMMAND_LINES) {
                    for (String parentCmd : LINEAGE_COMMAND_LINES) {
                      seen[3]++;
                      boolean matches =
                          rule.matches(fileName, cmd, initiating, parent, initiatingCmd, parentCmd);
                      if (matches && !may) {
                        throw new AssertionError(
                            label
                                + ": screened out a match: "
                                + Arrays.asList(
                                    fileName, cmd, initiating, parent, initiatingCmd, parentCmd));
                      }
                      seen[matches ? 0 : may ? 1 : 2]++;
                    }
                  }
                }
              }
            }
          }
          // each verdict is reached often: the proof is not vacuous
          String counts = label + " " + Arrays.toString(seen);
          System.out.println("RuleScreenTest " + counts);
          assertTrue(seen[0] >= 10_000, counts);
          assertTrue(seen[1] >= 10_000, counts);
          assertTrue(seen[2] >= 100_000, counts);
        });
  }

  @Test
  void shouldNeverSetAsideACreationThatCouldMatterToTheTreeOrMatch() throws IOException {
    forEveryRule(
        (rule, label) -> {
          long[] seen = new long[3]; // matters or matches, may matter but does not, set aside
          for (String fileName : NAMES) {
            for (String parent : NAMES) {
              boolean may = rule.mayMatterToTheTree(fileName, parent);
              for (String cmd : COMMAND_LINES) {
                for (String parentCmd : LINEAGE_COMMAND_LINES) {
                  ProcessEvent tree = creation(fileName, cmd, parent, parentCmd, TREE);
                  ProcessEvent direct = creation(fileName, cmd, parent, parentCmd, null);
                  boolean counts = rule.mattersToTheTree(tree) || rule.matches(direct);
                  if (counts && !may) {
                    throw new AssertionError(
                        label
                            + ": set aside a creation that counts: "
                            + Arrays.asList(fileName, cmd, parent, parentCmd));
                  }
                  seen[counts ? 0 : may ? 1 : 2]++;
                }
              }
            }
          }
          String counts = label + " " + Arrays.toString(seen);
          assertTrue(seen[0] >= 1_000, counts);
          assertTrue(seen[1] >= 1_000, counts);
          assertTrue(seen[2] >= 10_000, counts);
        });
  }

  @Test
  void shouldSetAsideACreationOfNoShellOrWebServerUnderNoWebServer() throws IOException {
    for (Rule rule : rules()) {
      assertFalse(rule.mayMatterToTheTree("conhost.exe", "services.exe"));
      assertFalse(rule.mayMatterToTheTree("chrome.exe", "explorer.exe"));
      assertFalse(rule.mayMatterToTheTree(null, null));
      assertTrue(rule.mayMatterToTheTree("cmd.exe", "explorer.exe"));
      assertTrue(rule.mayMatterToTheTree("conhost.exe", "w3wp.exe"));
      assertTrue(rule.mayMatterToTheTree("w3wp.exe", "svchost.exe"));
      assertTrue(rule.mayMatterToTheTree("tomcat9.exe", "services.exe"));
    }
  }

  private static ProcessEvent creation(
      String fileName, String cmd, String parent, String parentCmd, ProcessLineage lineage) {
    return new ProcessEvent(
        1L, "host", "host", fileName, cmd, parent, null, parentCmd, null, null, null, null, null,
        null, null, lineage);
  }

  @Test
  void shouldScreenOutAShellUnderTwoBenignParents() throws IOException {
    for (Rule rule : rules()) {
      for (String shell : new String[] {"cmd.exe", "CMD.EXE", "powershell.exe"}) {
        assertFalse(rule.mayMatch(shell, "explorer.exe", "userinit.exe"));
        assertFalse(rule.mayMatch(shell, "cmd.exe", "svchost.exe"));
        assertFalse(rule.mayMatch(shell, null, null));
        assertFalse(rule.mayMatch(shell, "", "explorer.exe"));
      }
    }
  }

  @Test
  void shouldScreenOutWhatIsNoShellWhateverItsParents() throws IOException {
    for (Rule rule : rules()) {
      assertFalse(rule.mayMatch("chrome.exe", "w3wp.exe", "w3wp.exe"));
      assertFalse(rule.mayMatch(null, "w3wp.exe", "httpd.exe"));
      assertFalse(rule.mayMatch("", "w3wp.exe", null));
    }
  }

  @Test
  void shouldLetAShellThroughUnderAWebServerAsParentOrGrandparent() throws IOException {
    for (Rule rule : rules()) {
      assertTrue(rule.mayMatch("cmd.exe", "w3wp.exe", null));
      assertTrue(rule.mayMatch("CMD.EXE", "explorer.exe", "w3wp.exe"));
      assertTrue(rule.mayMatch("powershell.exe", "Tomcat9.exe", "services.exe"));
    }
  }

  @Test
  void shouldLetAShellThroughUnderAConditionalWebServerByItsNameAlone() throws IOException {
    Rule hardened = new Rule(RuleFiles.builtIn("hardened"));
    assertTrue(hardened.mayMatch("cmd.exe", "java.exe", "services.exe"));
    assertTrue(hardened.mayMatch("cmd.exe", "cmd.exe", "JAVAW.EXE"));
    assertTrue(hardened.mayMatch("cmd.exe", "C:\\jdk\\bin\\java.exe", null));
    // the seed rule knows no conditional web server
    assertFalse(new Rule(RuleFiles.builtIn("kql")).mayMatch("cmd.exe", "java.exe", null));
  }
}
