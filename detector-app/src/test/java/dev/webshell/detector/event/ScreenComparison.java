package dev.webshell.detector.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.rule.Rule;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The comparison of the differential tests of the rule-aware JSON decoder: the decoder given the
 * rule as its screen, and the same decoder without one, against {@link LegacyJsonInputDecoder} on
 * one record. Both answer the same dead letter (reason and message), or the same format, failures,
 * skipped categories and number of events; every Defender event that may match and every Windows
 * creation that may matter is the same event; a screened-out Defender event keeps the same
 * Timestamp, DeviceId, ReportId and ProcessId and cannot match; a Windows creation set aside is the
 * same event without folder paths, command lines, account and lineage keys, its lineage is null
 * exactly where the whole one is, and the whole one neither matters to the tree nor matches. It
 * counts what it saw, so a test can prove it was not vacuous.
 */
final class ScreenComparison {
  private final Map<String, Integer> seen = new TreeMap<>();

  void count(String what) {
    seen.merge(what, 1, Integer::sum);
  }

  int seen(String what) {
    return seen.getOrDefault(what, 0);
  }

  Map<String, Integer> seen() {
    return seen;
  }

  @Override
  public String toString() {
    return seen.toString();
  }

  void compare(
      Rule rule,
      byte[] json,
      LegacyJsonInputDecoder before,
      JsonInputDecoder whole,
      JsonInputDecoder screened) {
    Object expected = outcome(() -> before.decode(json));
    Object actualWhole = outcome(() -> whole.decode(json));
    Object actualScreened = outcome(() -> screened.decode(json));
    String shown = new String(json, UTF_8);
    String why = shown.length() > 600 ? shown.substring(0, 600) + "…" : shown;
    if (expected instanceof String error) {
      assertEquals(error, actualWhole, why);
      assertEquals(error, actualScreened, why);
      count("dead letter");
      count("dead letter: " + error.substring(0, error.indexOf(':')));
      if (error.contains("surrogate")) {
        count("dead letter: surrogate");
      }
      return;
    }
    Decoded e = (Decoded) expected;
    assertEquals(describe(e), describe(actualWhole), why);
    assertTrue(actualScreened instanceof Decoded, () -> why + " → " + actualScreened);
    Decoded s = (Decoded) actualScreened;
    assertEquals(e.format(), s.format(), why);
    assertEquals(failures(e), failures(s), why);
    assertEquals(e.skipped(), s.skipped(), why);
    assertEquals(e.events().size(), s.events().size(), why);
    if (e.format().equals("envelope")) {
      count(e.failures().isEmpty() ? "envelope" : "envelope failure");
    }
    if (!e.skipped().isEmpty()) {
      count("skipped");
    }
    for (int k = 0; k < e.events().size(); k++) {
      ProcessEvent full = e.events().get(k);
      ProcessEvent got = s.events().get(k);
      boolean windows = !e.format().matches("json|envelope");
      if (e.format().equals("envelope")) {
        count("envelope event");
      }
      if (rule.matches(full)) {
        count("match");
      }
      if (full.lineage() != null && rule.mattersToTheTree(full)) {
        count("matters to the tree");
      }
      if (windows
          ? rule.mayMatterToTheTree(full.fileName(), full.initiatingProcessFileName())
          : rule.mayMatch(
              full.fileName(),
              full.initiatingProcessFileName(),
              full.initiatingProcessParentFileName())) {
        assertEquals(full, got, why);
        count("read whole: " + (windows ? "windows" : "defender"));
        continue;
      }
      if (windows) {
        count("set aside: windows");
        assertFalse(full.lineage() != null && rule.mattersToTheTree(full), why);
        assertFalse(rule.matches(full), why);
        ProcessLineage lineage = full.lineage();
        ProcessEvent expectedAside =
            new ProcessEvent(
                full.timestampMicros(),
                full.deviceId(),
                full.deviceName(),
                full.fileName(),
                null,
                full.initiatingProcessFileName(),
                full.initiatingProcessParentFileName(),
                null,
                null,
                null,
                full.reportId(),
                full.processId(),
                null,
                full.machineGroup(),
                full.tenantId(),
                lineage == null ? null : new ProcessLineage(lineage.kind(), null, null));
        assertEquals(expectedAside, got, why);
        continue;
      }
      count("screened out: defender");
      assertFalse(rule.matches(full), why);
      assertEquals(full.timestampMicros(), got.timestampMicros(), why);
      assertEquals(full.deviceId(), got.deviceId(), why);
      assertEquals(full.reportId(), got.reportId(), why);
      assertEquals(full.processId(), got.processId(), why);
      assertNull(got.lineage(), why);
      assertNull(got.fileName(), why);
      assertNull(got.processCommandLine(), why);
      assertNull(got.initiatingProcessFileName(), why);
      assertNull(got.initiatingProcessCommandLine(), why);
      assertFalse(rule.matches(got), why);
    }
  }

  private static Object outcome(Supplier<Decoded> decode) {
    try {
      return decode.get();
    } catch (DecodeException e) {
      return e.reason() + ": " + e.getMessage();
    } catch (RuntimeException e) {
      return "unexpected " + e;
    }
  }

  private static String describe(Object o) {
    if (!(o instanceof Decoded d)) {
      return String.valueOf(o);
    }
    return d.format() + " " + d.events() + " " + failures(d) + " " + d.skipped();
  }

  private static List<String> failures(Decoded d) {
    List<String> out = new ArrayList<>();
    for (Decoded.Failure f : d.failures()) {
      out.add(
          f.index()
              + " "
              + HexFormat.of().formatHex(f.bytes())
              + " "
              + f.error().reason()
              + ": "
              + f.error().getMessage());
    }
    return out;
  }
}
