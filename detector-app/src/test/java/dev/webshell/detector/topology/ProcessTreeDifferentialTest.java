package dev.webshell.detector.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.generator.ProcessTreeTraffic;
import dev.webshell.detector.generator.WindowsEventJson;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Windows process trees (web servers, their children and grandchildren, benign lineages, orphans,
 * records out of order) through the production topology as Sysmon, Winlogbeat, ECS or Security 4688
 * records, and through a reference written from SPEC 6.4 that reads the generator's truth — not the
 * records, nor any production mapping or tree code: the grandparent of an event is the {@code
 * ParentImage} of the creation of its parent (same host; by GUID, or for 4688 the latest creation
 * of the parent's process id before the event); a candidate whose parent's creation comes later is
 * evaluated when it comes; one whose parent never comes, and is not a web server itself, is never a
 * match. The detector decodes with the rule as its screen, as in production. The revisions of every
 * device must agree on what lineage decides: the command lines, counts and the parent and
 * grandparent names.
 */
class ProcessTreeDifferentialTest {
  @TempDir Path stateDir;

  /** What the reference knows of a creation: its time, its file name, and its parent's. */
  private record Created(long micros, String fileName, String parentFileName) {}

  @ParameterizedTest(name = "seed {0}, {1}, disorder {2}")
  @CsvSource({
    "1, SYSMON, 0",
    "2, WINLOGBEAT, 0.05",
    "3, ECS, 0.05",
    "4, WINDOWS_SECURITY, 0",
    "5, SYSMON, 0.3",
    "6, WINDOWS_SECURITY, 0.05"
  })
  void shouldGiveEveryDeviceTheRevisionsTheReferenceTreeGives(
      long seed, WindowsEventJson.Shape shape, double disorder) {
    ProcessTreeTraffic traffic = new ProcessTreeTraffic(seed, 8, 0.01, disorder);
    long start = micros(Instant.now().minus(Duration.ofDays(3)));
    boolean byPid = shape == WindowsEventJson.Shape.WINDOWS_SECURITY;
    ReferenceDetector reference = new ReferenceDetector(RuleSpec.seed().lookbackMicros(), 128);
    Map<String, Created> byGuid = new HashMap<>();
    Map<String, List<Created>> byPidKey = new HashMap<>();
    Map<String, List<Ev>> waitingFor = new HashMap<>();
    List<JsonNode> expected = new ArrayList<>();
    List<JsonNode> actual = new ArrayList<>();
    int grandchildren = 0;
    int waited = 0;
    try (TopologyHarness detector =
        new TopologyHarness(
            RuleSpec.seed(),
            stateDir,
            new InputDeserializer(InputFormat.JSON, null, new Rule(RuleSpec.seed())),
            TopologyHarness.FAR_FUTURE)) {
      for (int i = 0; i < 4000; i++) {
        ProcessTreeTraffic.Record r = traffic.next(start + i * 1_500_000L);
        actual.addAll(
            detector.sendBytes(WindowsEventJson.toJson(r, shape).getBytes(StandardCharsets.UTF_8)));
        if (r.kind() != ProcessTreeTraffic.Kind.CREATE) {
          continue;
        }
        String host = r.host().toLowerCase(Locale.ROOT);
        // Sysmon's UtcTime keeps milliseconds; a 4688 record's @timestamp, microseconds
        long ts = byPid ? r.utcMicros() : r.utcMicros() / 1000 * 1000;
        String parentKey = host + "|" + (byPid ? r.parent().pid() : r.parent().guid());
        String ownKey = host + "|" + (byPid ? r.process().pid() : r.process().guid());
        Created me = new Created(ts, r.process().fileName(), r.parent().fileName());
        Created parent = parentOf(byPid, byGuid, byPidKey, parentKey, ts);
        Ev e = ev(r, host, ts, parent == null ? null : parent.parentFileName());
        if (parent != null || isWebServer(e.initiating) || !candidate(e)) {
          expected.addAll(reference.process(e));
          grandchildren += parent != null && candidate(e) && isWebServer(e.parent) ? 1 : 0;
        } else {
          waitingFor.computeIfAbsent(parentKey, k -> new ArrayList<>()).add(e);
        }
        if (byPid) {
          byPidKey.computeIfAbsent(ownKey, k -> new ArrayList<>()).add(me);
        } else {
          byGuid.put(ownKey, me);
        }
        List<Ev> children = waitingFor.remove(ownKey);
        if (children != null) {
          for (Ev child : children) {
            if (!byPid || me.micros() < child.micros) {
              child.parent = me.parentFileName();
              expected.addAll(reference.process(child));
              waited++;
            } else {
              waitingFor.computeIfAbsent(ownKey, k -> new ArrayList<>()).add(child);
            }
          }
        }
      }
      reference.finish().forEach(c -> expected.add(c.revision));
      actual.addAll(detector.flush());
    }
    assertEquals(lineageView(expected), lineageView(actual));
    assertTrue(grandchildren > 0, "web servers' grandchildren matched: " + grandchildren);
    if (disorder >= 0.3) {
      assertTrue(waited > 0, "children read before their parents");
    }
    System.out.printf(
        "seed %d %s: %d revisions, %d grandchild matches, %d after waiting%n",
        seed, shape, expected.size(), grandchildren, waited);
  }

  private static Created parentOf(
      boolean byPid,
      Map<String, Created> byGuid,
      Map<String, List<Created>> byPidKey,
      String parentKey,
      long childMicros) {
    if (!byPid) {
      return byGuid.get(parentKey);
    }
    Created found = null;
    for (Created c : byPidKey.getOrDefault(parentKey, List.of())) {
      if (c.micros() < childMicros && (found == null || c.micros() >= found.micros())) {
        found = c;
      }
    }
    return found;
  }

  private static Ev ev(ProcessTreeTraffic.Record r, String host, long ts, String grandparent) {
    Ev e = Ev.atMicros(ts).device(host).name(host);
    e.fileName = r.process().fileName();
    e.cmd = r.process().commandLine();
    e.initiating = r.parent().fileName();
    e.parent = grandparent;
    return e;
  }

  /** SPEC 2 for the seed rule, as far as this test needs it (the reference rule decides). */
  private static boolean isWebServer(String name) {
    return name != null
        && (List.of("w3wp.exe", "beasvc.exe", "httpd.exe").contains(name)
            || name.toLowerCase(Locale.ROOT).startsWith("tomcat"));
  }

  private static boolean candidate(Ev e) {
    return ReferenceRule.kql().matches(copyWithWebServerParent(e));
  }

  /** The event as if its parent were a web server: does the rest of the rule hold? */
  private static Ev copyWithWebServerParent(Ev e) {
    Ev c = Ev.atMicros(e.micros).device(e.deviceId);
    c.fileName = e.fileName;
    c.cmd = e.cmd;
    c.initiating = "w3wp.exe";
    return c;
  }

  /** Per device, the fields lineage decides, revision by revision. */
  private static Map<String, List<String>> lineageView(List<JsonNode> revisions) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    revisions.stream()
        .sorted((a, b) -> a.get("deviceId").asText().compareTo(b.get("deviceId").asText()))
        .forEach(
            a ->
                out.computeIfAbsent(a.get("deviceId").asText(), k -> new ArrayList<>())
                    .add(
                        a.get("revision")
                            + " "
                            + a.get("status")
                            + " "
                            + a.get("matchCount")
                            + " "
                            + a.get("commandLines")
                            + " "
                            + a.get("initiatingProcessFileNames")
                            + " "
                            + a.get("initiatingProcessParentFileNames")));
    return out;
  }

  private static long micros(Instant i) {
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
  }
}
