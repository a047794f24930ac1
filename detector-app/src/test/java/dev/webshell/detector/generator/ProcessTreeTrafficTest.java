package dev.webshell.detector.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.event.Decoded;
import dev.webshell.detector.event.JsonInputDecoder;
import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.generator.ProcessTreeTraffic.Kind;
import dev.webshell.detector.generator.ProcessTreeTraffic.Record;
import dev.webshell.detector.generator.WindowsEventJson.Shape;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcessTreeTrafficTest {
  private static final Set<String> WEB_SERVERS =
      Set.of("w3wp.exe", "httpd.exe", "Tomcat9.exe", "java.exe");

  private static List<Record> records(long seed, int n, double disorder) {
    ProcessTreeTraffic t = new ProcessTreeTraffic(seed, 40, 3_000 / 1e6, disorder);
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(t.next(1_772_359_200_000_000L + i * 100_000L));
    }
    return out;
  }

  private static String render(List<Record> rs, Shape shape) {
    StringBuilder b = new StringBuilder();
    for (Record r : rs) {
      b.append(WindowsEventJson.toJson(r, shape)).append('\n');
    }
    return b.toString();
  }

  @Test
  void shouldWriteTheSameRecordsForTheSameSeedAndOthersForAnother() {
    assertEquals(
        render(records(5, 3_000, 0.1), Shape.ECS), render(records(5, 3_000, 0.1), Shape.ECS));
    assertNotEquals(
        render(records(5, 3_000, 0), Shape.SYSMON), render(records(6, 3_000, 0), Shape.SYSMON));
  }

  @Test
  void shouldWriteEveryParentsCreationBeforeItsChildrenUnlessAskedForDisorder() {
    for (double disorder : new double[] {0, 0.2}) {
      List<Record> rs = records(11, 20_000, disorder);
      Map<String, Integer> createdAt = new HashMap<>();
      for (int i = 0; i < rs.size(); i++) {
        if (rs.get(i).kind() == Kind.CREATE) {
          createdAt.put(rs.get(i).process().guid(), i);
        }
      }
      int childFirst = 0;
      for (int i = 0; i < rs.size(); i++) {
        Record r = rs.get(i);
        if (r.kind() == Kind.CREATE) {
          Integer parent = createdAt.get(r.parent().guid());
          if (parent != null && parent > i) {
            childFirst++;
          }
        }
      }
      if (disorder == 0) {
        assertEquals(0, childFirst);
      } else {
        assertTrue(childFirst > 0, "with --disorder some children come first");
      }
    }
  }

  @Test
  void shouldHoldGrandchildrenOfWebServersOrphansBenignLineagesAndOtherRecords() {
    List<Record> rs = records(3, 30_000, 0);
    Map<String, Record> byGuid = new HashMap<>();
    int grandchildShells = 0;
    int benignGrandchildren = 0;
    int orphans = 0;
    int directShells = 0;
    Map<Kind, Integer> kinds = new HashMap<>();
    for (Record r : rs) {
      kinds.merge(r.kind(), 1, Integer::sum);
      if (r.kind() != Kind.CREATE) {
        continue;
      }
      byGuid.put(r.process().guid(), r);
      Record parent = byGuid.get(r.parent().guid());
      String child = r.process().fileName();
      boolean shell = child.equals("cmd.exe") || child.equals("powershell.exe");
      if (shell && WEB_SERVERS.contains(r.parent().fileName())) {
        directShells++;
      }
      if (parent != null && WEB_SERVERS.contains(parent.parent().fileName())) {
        if (shell) {
          grandchildShells++;
        } else {
          benignGrandchildren++;
        }
      }
      if (parent == null && r.parent().fileName().equals("cmd.exe")) {
        orphans++;
      }
    }
    assertTrue(directShells > 0, "web servers spawning shells");
    assertTrue(grandchildShells > 0, "w3wp.exe → cmd.exe → powershell.exe");
    assertTrue(benignGrandchildren > 0, "w3wp.exe → csc.exe → cvtres.exe");
    assertTrue(orphans > 0, "shells whose parent's creation was never logged");
    for (Kind k : Kind.values()) {
      assertTrue(kinds.getOrDefault(k, 0) > 0, k + " records");
    }
  }

  @Test
  void shouldBeReadByTheDetectorAsTheSameCreationsInEveryShape() {
    JsonInputDecoder decoder = new JsonInputDecoder();
    List<Record> rs = records(9, 5_000, 0);
    for (Record r : rs) {
      Map<Shape, Decoded> decoded = new HashMap<>();
      for (Shape s : Shape.values()) {
        decoded.put(
            s, decoder.decode(WindowsEventJson.toJson(r, s).getBytes(StandardCharsets.UTF_8)));
      }
      if (r.kind() != Kind.CREATE) {
        decoded.forEach(
            (s, d) -> {
              assertEquals(List.of(), d.events(), s + " " + r);
              assertEquals(1, d.skipped().size(), s + " " + r);
            });
        continue;
      }
      ProcessEvent sysmon = decoded.get(Shape.SYSMON).events().get(0);
      assertEquals(r.host().toLowerCase(java.util.Locale.ROOT), sysmon.deviceId());
      assertEquals(r.process().fileName(), sysmon.fileName());
      assertEquals(r.parent().fileName(), sysmon.initiatingProcessFileName());
      assertEquals(r.process().commandLine(), sysmon.processCommandLine());
      assertEquals(r.process().pid(), sysmon.processId());
      assertEquals(r.utcMicros() / 1000 * 1000, sysmon.timestampMicros(), "UtcTime has millis");
      assertEquals(sysmon, decoded.get(Shape.WINLOGBEAT).events().get(0));
      assertEquals(sysmon, decoded.get(Shape.ECS).events().get(0));
      ProcessEvent security = decoded.get(Shape.WINDOWS_SECURITY).events().get(0);
      assertEquals(sysmon.fileName(), security.fileName());
      assertEquals(sysmon.initiatingProcessFileName(), security.initiatingProcessFileName());
      assertEquals(sysmon.processCommandLine(), security.processCommandLine());
      assertNull(security.initiatingProcessCommandLine());
      assertEquals(Long.toString(r.parent().pid()), security.lineage().parentProcessKey());
    }
  }
}
