package dev.webshell.detector.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webshell.detector.event.ProcessEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One case per row of {@code samples/variants.jsonl} (= one row of the table in {@code
 * docs/rules.md}): the verdicts of the kql and hardened profiles. The expected verdicts live in the
 * rows ({@code _expectKql}, {@code _expectHardened}); the detector ignores {@code _} fields.
 */
class VariantsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Rule KQL = new Rule(RuleFiles.builtIn("kql"));
  private static final Rule HARDENED = new Rule(RuleFiles.builtIn("hardened"));

  static Path repoFile(String relative) {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve(relative);
      if (Files.exists(candidate)) {
        return candidate;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
  }

  static List<JsonNode> rows() {
    try {
      List<JsonNode> rows = new ArrayList<>();
      for (String line :
          Files.readAllLines(repoFile("samples/variants.jsonl"), StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          rows.add(JSON.readTree(line));
        }
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Stream<JsonNode> variants() {
    return rows().stream();
  }

  private static String text(JsonNode row, String field) {
    JsonNode v = row.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Long number(JsonNode row, String field) {
    JsonNode v = row.get(field);
    return v == null || v.isNull() ? null : v.asLong();
  }

  static ProcessEvent event(JsonNode row) {
    Instant ts = Instant.parse(text(row, "Timestamp"));
    return new ProcessEvent(
        ChronoUnit.MICROS.between(Instant.EPOCH, ts),
        text(row, "DeviceId"),
        text(row, "DeviceName"),
        text(row, "FileName"),
        text(row, "ProcessCommandLine"),
        text(row, "InitiatingProcessFileName"),
        text(row, "InitiatingProcessParentFileName"),
        text(row, "InitiatingProcessCommandLine"),
        null,
        null,
        number(row, "ReportId"),
        number(row, "ProcessId"),
        text(row, "AccountName"),
        null,
        null);
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("variants")
  void shouldGiveTheVerdictsOfTheDocsTable(JsonNode row) {
    ProcessEvent e = event(row);
    String label = e.deviceId() + " (" + text(row, "_variant") + ")";
    assertEquals(row.get("_expectKql").asBoolean(), KQL.matches(e), "kql: " + label);
    assertEquals(row.get("_expectHardened").asBoolean(), HARDENED.matches(e), "hardened: " + label);
  }

  @Test
  void shouldGiveEachVariantItsOwnDevice() {
    Set<String> devices = new HashSet<>();
    for (JsonNode row : rows()) {
      assertTrue(devices.add(text(row, "DeviceId")), "duplicate DeviceId " + text(row, "DeviceId"));
      assertTrue(row.get("_expectKql").isBoolean() && row.get("_expectHardened").isBoolean());
    }
  }

  @Test
  void shouldListEveryVariantInTheDocsTableWithTheSameVerdicts() throws IOException {
    Map<String, String> documented = new LinkedHashMap<>();
    for (String line : Files.readAllLines(repoFile("docs/rules.md"), StandardCharsets.UTF_8)) {
      if (line.startsWith("| variant-")) {
        String[] cells = line.split("\\|");
        // | id | variant | lineage | command line | kql | hardened | why |
        documented.put(cells[1].trim(), verdict(cells[5]) + "/" + verdict(cells[6]));
      }
    }
    Map<String, String> sampled = new LinkedHashMap<>();
    for (JsonNode row : rows()) {
      sampled.put(
          text(row, "DeviceId"),
          row.get("_expectKql").asBoolean() + "/" + row.get("_expectHardened").asBoolean());
    }
    assertEquals(sampled, documented);
  }

  private static boolean verdict(String cell) {
    String v = cell.replace("*", "").trim();
    if (!v.equals("yes") && !v.equals("no")) {
      throw new IllegalStateException("verdict cell is neither yes nor no: " + cell);
    }
    return v.equals("yes");
  }
}
