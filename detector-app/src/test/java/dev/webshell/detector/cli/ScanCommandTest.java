package dev.webshell.detector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `bin/detector scan` end to end, through the CLI, on the shipped sample. */
class ScanCommandTest {
  static final Path SAMPLE = Path.of("../samples/softcell.jsonl");
  static final Path EXPECTED = Path.of("../samples/softcell.alerts.jsonl");
  static final Path VARIANTS = Path.of("../samples/variants.jsonl");

  record Run(int code, String out, String err) {}

  static Run scan(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 1];
    all[0] = "scan";
    System.arraycopy(args, 0, all, 1, args.length);
    int code = cl.execute(all);
    cl.getOut().flush();
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void shouldPrintExactlyTheExpectedRevisionsForTheSample() throws IOException {
    Run run = scan(SAMPLE.toString());
    assertEquals(0, run.code(), run.err());
    assertEquals(Files.readAllLines(EXPECTED), run.out().lines().toList());
    assertTrue(run.err().contains("417 lines, 11 alert revisions, 0 unreadable"), run.err());
  }

  @Test
  void shouldReportUnreadableLinesWithTheirNumberAndGoOn(@TempDir Path dir) throws IOException {
    List<String> sample = Files.readAllLines(SAMPLE);
    Path file = dir.resolve("mixed.jsonl");
    StringBuilder b = new StringBuilder();
    b.append("{\"broken\": \n");
    b.append("[1,2,3]\n");
    b.append("\n");
    for (String line : sample) {
      b.append(line).append('\n');
    }
    b.append("{\"DeviceId\":\"x\",\"Timestamp\":\"yesterday\"}\n");
    Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    Run run = scan(file.toString());
    assertEquals(0, run.code());
    assertEquals(Files.readAllLines(EXPECTED), run.out().lines().toList());
    assertTrue(run.err().contains("line 1: invalid-json"), run.err());
    assertTrue(run.err().contains("line 2: not-an-object"), run.err());
    assertTrue(run.err().contains("line " + (sample.size() + 4) + ": bad-timestamp"), run.err());
  }

  @Test
  void shouldReadStreamingApiEnvelopeLinesLikeTheFlatRowsTheyHold(@TempDir Path dir)
      throws IOException {
    List<String> sample = Files.readAllLines(SAMPLE);
    java.util.Random random = new java.util.Random(3);
    StringBuilder b = new StringBuilder();
    int i = 0;
    int skipped = 0;
    int envelopes = 0;
    while (i < sample.size()) {
      int size = 1 + random.nextInt(20);
      b.append("{\"records\":[");
      for (int k = 0; k < size && i < sample.size(); k++) {
        if (k > 0) {
          b.append(',');
        }
        if (random.nextInt(4) == 0) {
          b.append(
              "{\"time\":\"2021-04-14T18:49:17.7849324Z\",\"tenantId\":\"t\","
                  + "\"operationName\":\"Publish\","
                  + "\"category\":\"AdvancedHunting-DeviceNetworkEvents\","
                  + "\"properties\":{\"DeviceId\":\"d\",\"RemotePort\":443}}");
          skipped++;
        } else {
          b.append(
                  "{\"time\":\"2021-04-14T18:49:17.7849324Z\",\"tenantId\":\"t\","
                      + "\"operationName\":\"Publish\","
                      + "\"category\":\"AdvancedHunting-DeviceProcessEvents\",\"properties\":")
              .append(sample.get(i++))
              .append('}');
        }
      }
      b.append("]}\n");
      envelopes++;
    }
    Path file = dir.resolve("envelopes.jsonl");
    Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    assertTrue(skipped > 0 && envelopes < sample.size());

    Run run = scan(file.toString());

    assertEquals(0, run.code(), run.err());
    assertEquals(Files.readAllLines(EXPECTED), run.out().lines().toList());
    assertTrue(
        run.err().contains(envelopes + " lines, 11 alert revisions, 0 unreadable"), run.err());
  }

  /** DeviceIds of the variants that the given profile must alert on, from the file's own labels. */
  static java.util.Set<String> expectedDevices(String label) throws IOException {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    java.util.Set<String> ids = new java.util.TreeSet<>();
    for (String line : Files.readAllLines(VARIANTS)) {
      var row = json.readTree(line);
      if (row.get(label).asBoolean()) {
        ids.add(row.get("DeviceId").asText());
      }
    }
    return ids;
  }

  static java.util.Set<String> alertedDevices(Run run) throws IOException {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    java.util.Set<String> ids = new java.util.TreeSet<>();
    for (String line : run.out().lines().toList()) {
      ids.add(json.readTree(line).get("deviceId").asText());
    }
    return ids;
  }

  @Test
  void shouldAlertOnEveryWebShellVariantAndNoBenignNeighbourWithTheHardenedProfile()
      throws IOException {
    Run run = scan("--profile", "hardened", VARIANTS.toString());
    assertEquals(0, run.code(), run.err());
    assertEquals(expectedDevices("_expectHardened"), alertedDevices(run));
    assertTrue(run.out().contains("\"profile\":\"hardened\""));
  }

  @Test
  void shouldNeverGiveTheHardenedProfileTheSameAlertIdsAsKql() throws IOException {
    java.util.Set<String> kql = alertIds(scan(VARIANTS.toString()));
    java.util.Set<String> hardened = alertIds(scan("--profile", "hardened", VARIANTS.toString()));
    assertTrue(!kql.isEmpty() && !hardened.isEmpty());
    kql.retainAll(hardened);
    assertEquals(java.util.Set.of(), kql);
  }

  static java.util.Set<String> alertIds(Run run) throws IOException {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    java.util.Set<String> ids = new java.util.TreeSet<>();
    for (String line : run.out().lines().toList()) {
      ids.add(json.readTree(line).get("alertId").asText());
    }
    return ids;
  }

  @Test
  void shouldGiveTheQueryExactResultsOnTheVariantsWithTheDefaultProfile() throws IOException {
    Run run = scan(VARIANTS.toString());
    assertEquals(0, run.code(), run.err());
    assertEquals(expectedDevices("_expectKql"), alertedDevices(run));
  }

  @Test
  void shouldRunATunedRuleFileAndCarryItsVersion(@TempDir Path dir) throws IOException {
    String kql =
        new String(
            Main.class.getResourceAsStream("/rules/kql.yaml").readAllBytes(),
            StandardCharsets.UTF_8);
    Path tuned = dir.resolve("tuned.yaml");
    Files.writeString(
        tuned,
        kql.replaceFirst("(?m)^version: .*$", "version: 9.9.9")
            .replaceFirst("(?m)^profile: .*$", "profile: tuned"));
    Run run = scan("--rules", tuned.toString(), SAMPLE.toString());
    assertEquals(0, run.code(), run.err());
    assertEquals(11, run.out().lines().count(), "9 revisions and 2 closing ones");
    assertTrue(
        run.out().contains("\"ruleVersion\":\"9.9.9\""), run.out().lines().findFirst().orElse(""));
  }

  @Test
  void shouldRejectABrokenRuleFileWithOneLineNamingFileLineAndKey(@TempDir Path dir)
      throws IOException {
    Path bad = dir.resolve("bad.yaml");
    String kql =
        new String(
            Main.class.getResourceAsStream("/rules/kql.yaml").readAllBytes(),
            StandardCharsets.UTF_8);
    Files.writeString(bad, kql.replaceFirst("shells:", "sheels:"));
    Run run = scan("--rules", bad.toString(), SAMPLE.toString());
    assertEquals(1, run.code());
    assertTrue(run.err().strip().startsWith("detector: " + bad + ":"), run.err());
    assertTrue(run.err().contains("'sheels'"), run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
  }

  @Test
  void shouldFailWithOneLineWhenTheFileCannotBeRead() {
    Run run = scan("/nonexistent/events.jsonl");
    assertEquals(1, run.code());
    assertEquals("scan: cannot read /nonexistent/events.jsonl: no such file", run.err().strip());
  }

  @Test
  void shouldRefuseAnUnknownProfileWithAUsageError() {
    Run run = scan("--profile", "nope", SAMPLE.toString());
    assertEquals(2, run.code());
    assertTrue(run.err().contains("unknown profile 'nope'"), run.err());
  }

  @Test
  void shouldListTheCommandsInHelp() {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    assertEquals(0, cl.execute("--help"));
    assertTrue(out.toString().contains("scan"), out.toString());
  }

  @Test
  void shouldTakeOptionsFromDetectorEnvironmentVariables() {
    assertEquals(
        "DETECTOR_BOOTSTRAP_SERVERS", EnvironmentDefaults.variableFor("--bootstrap-servers"));
    assertEquals("DETECTOR_PROFILE", EnvironmentDefaults.variableFor("--profile"));
  }
}
