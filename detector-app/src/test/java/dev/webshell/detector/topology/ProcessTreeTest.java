package dev.webshell.detector.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.tree.ProcessTree;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-host process tree (SPEC 6.4) through the topology, on Sysmon event 1 records: the
 * grandparent of a web server's grandchild comes from the tree, a child read before its parent
 * waits for it (and not forever), and the tree keeps only web servers and their children.
 */
class ProcessTreeTest {
  static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  static final Instant T0 = Instant.now().minus(Duration.ofDays(2));
  @TempDir Path stateDir;

  /** A Sysmon process creation on WEB01, as NXLog ships it. */
  static String creation(
      Duration at,
      String guid,
      String image,
      String commandLine,
      String parentGuid,
      String parentImage,
      String parentCommandLine) {
    ObjectNode n = Ev.JSON.createObjectNode();
    n.put("EventID", 1);
    n.put("SourceName", "Microsoft-Windows-Sysmon");
    n.put("Hostname", "WEB01.contoso.local");
    n.put("UtcTime", UTC.format(T0.plus(at)));
    n.put("ProcessGuid", "{" + guid + "}");
    n.put("ProcessId", "4242");
    n.put("Image", image);
    n.put("CommandLine", commandLine);
    n.put("User", "IIS APPPOOL\\DefaultAppPool");
    n.put("ParentProcessGuid", "{" + parentGuid + "}");
    n.put("ParentProcessId", "1000");
    n.put("ParentImage", parentImage);
    n.put("ParentCommandLine", parentCommandLine);
    return n.toString();
  }

  static final String SVCHOST = "C:\\Windows\\System32\\svchost.exe";
  static final String W3WP = "c:\\windows\\system32\\inetsrv\\w3wp.exe";
  static final String CMD = "C:\\Windows\\System32\\cmd.exe";
  static final String PS = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";

  static String w3wp(Duration at) {
    return creation(at, "a-1", W3WP, "w3wp.exe -ap DefaultAppPool", "s-1", SVCHOST, "svchost -k");
  }

  static String cmd(Duration at, String guid) {
    return creation(at, guid, CMD, "cmd.exe /c powershell -nop", "a-1", W3WP, "w3wp.exe -ap x");
  }

  static String powershell(Duration at, String parentGuid, String command) {
    return creation(at, "p-" + at.toSeconds(), PS, command, parentGuid, CMD, "cmd.exe /c x");
  }

  private TopologyHarness harness(RuleSpec rule) {
    return new TopologyHarness(
        rule, stateDir, new InputDeserializer(InputFormat.JSON, null), TopologyHarness.FAR_FUTURE);
  }

  @Test
  void shouldGiveAWebServersGrandchildItsGrandparentAndMatchIt() {
    try (TopologyHarness h = harness(RuleSpec.seed())) {
      assertEquals(List.of(), h.send(w3wp(Duration.ZERO)));
      assertEquals(List.of(), h.send(cmd(Duration.ofSeconds(10), "c-1")), "no discovery command");
      List<JsonNode> out =
          h.send(powershell(Duration.ofSeconds(11), "c-1", "powershell.exe -nop -c whoami"));
      assertEquals(1, out.size());
      JsonNode a = out.get(0);
      assertEquals("web01.contoso.local", a.get("deviceId").asText());
      assertEquals("cmd.exe", a.get("initiatingProcessFileName").asText());
      assertEquals("w3wp.exe", a.get("initiatingProcessParentFileName").asText());
    }
  }

  @Test
  void shouldReportTheWebServersCreatorAsTheGrandparentOfItsDirectChild() {
    try (TopologyHarness h = harness(RuleSpec.seed())) {
      h.send(w3wp(Duration.ZERO));
      List<JsonNode> out =
          h.send(
              creation(
                  Duration.ofSeconds(5), "c-2", CMD, "cmd.exe /c whoami", "a-1", W3WP, "w3wp"));
      assertEquals("svchost.exe", out.get(0).get("initiatingProcessParentFileName").asText());
    }
  }

  @Test
  void shouldMatchAGrandchildReadBeforeItsParentOnceTheParentArrivesWithinTheWait() {
    try (TopologyHarness h = harness(RuleSpec.seed())) {
      h.send(w3wp(Duration.ZERO));
      assertEquals(
          List.of(),
          h.send(powershell(Duration.ofSeconds(11), "c-1", "powershell.exe -c ipconfig")),
          "waits for its parent");
      h.driver.advanceWallClockTime(ProcessTree.WAIT.minusSeconds(30));
      List<JsonNode> out = h.send(cmd(Duration.ofSeconds(10), "c-1"));
      assertEquals(1, out.size(), "matched when its parent's creation came");
      assertEquals("w3wp.exe", out.get(0).get("initiatingProcessParentFileName").asText());
    }
  }

  @Test
  void shouldDropAGrandchildWhoseParentComesAfterTheWait() {
    try (TopologyHarness h = harness(RuleSpec.seed())) {
      h.send(w3wp(Duration.ZERO));
      h.send(powershell(Duration.ofSeconds(11), "c-1", "powershell.exe -c ipconfig"));
      h.driver.advanceWallClockTime(ProcessTree.WAIT.plusSeconds(30));
      assertEquals(List.of(), h.send(cmd(Duration.ofSeconds(10), "c-1")), "too late");
      assertEquals(0, count(h.driver.getKeyValueStore(TopologyConfig.WAITING_STORE)));
    }
  }

  @Test
  void shouldNotMatchAShellWhoseLineageHasNoWebServer() {
    try (TopologyHarness h = harness(RuleSpec.seed())) {
      h.send(
          creation(Duration.ZERO, "e-1", "C:\\Windows\\explorer.exe", "explorer", "u-1", "x", "x"));
      h.send(
          creation(
              Duration.ofSeconds(1),
              "c-9",
              CMD,
              "cmd.exe",
              "e-1",
              "C:\\Windows\\explorer.exe",
              ""));
      assertEquals(
          List.of(), h.send(powershell(Duration.ofSeconds(2), "c-9", "powershell -c whoami")));
    }
  }

  @Test
  void shouldKeepOnlyWebServersAndTheirChildrenInTheTree() {
    try (TopologyHarness h = harness(RuleSpec.seed())) {
      h.send(w3wp(Duration.ZERO));
      h.send(cmd(Duration.ofSeconds(1), "c-1"));
      for (int i = 0; i < 50; i++) {
        h.send(
            creation(
                Duration.ofSeconds(2 + i),
                "n-" + i,
                "C:\\Windows\\System32\\notepad.exe",
                "notepad",
                "e-1",
                "C:\\Windows\\explorer.exe",
                "explorer"));
      }
      KeyValueStore<String, ?> tree = h.driver.getKeyValueStore(TopologyConfig.TREE_STORE);
      assertEquals(2, count(tree), "the web server and its child, not the 50 benign processes");
    }
  }

  @Test
  void shouldForgetNodesUnusedForTheRetention() {
    try (TopologyHarness h = harness(RuleSpec.seed())) {
      h.send(w3wp(Duration.ZERO));
      h.send(cmd(Duration.ofSeconds(1), "c-1"));
      // another host's web server moves stream time eight days on
      String later =
          creation(Duration.ofDays(8), "a-9", W3WP, "w3wp.exe", "s-9", SVCHOST, "svchost -k")
              .replace("WEB01", "WEB02");
      h.send(later);
      h.send(
          later
              .replace("a-9", "a-10")
              .replace(
                  UTC.format(T0.plus(Duration.ofDays(8))),
                  UTC.format(T0.plus(Duration.ofDays(8).plusHours(2)))));
      KeyValueStore<String, ?> tree = h.driver.getKeyValueStore(TopologyConfig.TREE_STORE);
      List<String> keys = keys(tree);
      assertTrue(
          keys.stream().noneMatch(k -> k.startsWith("web01")), "web01's nodes forgotten: " + keys);
      // a shell under the forgotten cmd: its grandparent is unknown, so no match
      assertEquals(
          List.of(),
          h.send(powershell(Duration.ofDays(8).plusHours(3), "c-1", "powershell whoami")));
    }
  }

  @Test
  void shouldSeeTomcatOnJavaAsTheGrandparentUnderTheHardenedProfile() {
    RuleSpec hardened = RuleFiles.builtIn("hardened");
    String java = "C:\\Program Files\\Java\\jdk-17\\bin\\java.exe";
    String catalina =
        "\"" + java + "\" -Dcatalina.home=C:\\tomcat org.apache.catalina.startup.Bootstrap start";
    try (TopologyHarness h = harness(hardened)) {
      h.send(creation(Duration.ZERO, "j-1", java, catalina, "s-1", SVCHOST, "services"));
      h.send(creation(Duration.ofSeconds(1), "c-1", CMD, "cmd.exe /c x", "j-1", java, catalina));
      List<JsonNode> out =
          h.send(powershell(Duration.ofSeconds(2), "c-1", "powershell.exe -c whoami"));
      assertEquals(1, out.size(), "java.exe running Catalina, two levels up");
      assertEquals("java.exe", out.get(0).get("initiatingProcessParentFileName").asText());
    }
    try (TopologyHarness h = harness(RuleSpec.seed())) {
      h.send(creation(Duration.ZERO, "j-1", java, catalina, "s-1", SVCHOST, "services"));
      h.send(creation(Duration.ofSeconds(1), "c-1", CMD, "cmd.exe /c x", "j-1", java, catalina));
      assertEquals(
          List.of(),
          h.send(powershell(Duration.ofSeconds(2), "c-1", "powershell.exe -c whoami")),
          "kql: java.exe is no web server");
    }
  }

  private static long count(KeyValueStore<String, ?> store) {
    return keys(store).size();
  }

  private static List<String> keys(KeyValueStore<String, ?> store) {
    List<String> out = new ArrayList<>();
    try (KeyValueIterator<String, ?> it = store.all()) {
      it.forEachRemaining(kv -> out.add(kv.key));
    }
    return out;
  }
}
