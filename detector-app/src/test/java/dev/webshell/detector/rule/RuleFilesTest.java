package dev.webshell.detector.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RuleFilesTest {
  /** A valid rule file; the tests break one line at a time. Line numbers matter: see below. */
  private static final String BASE =
      String.join(
          "\n",
          "id: fa2f7d8a-6726-465a-aa72-6f6e3d4c99d7", // 1
          "name: Detect suspicious commands initiated by web server processes", // 2
          "version: 1.0.0", // 3
          "severity: High", // 4
          "tactics: [Execution, DefenseEvasion, Discovery]", // 5
          "techniques: [T1059, T1574, T1087, T1082]", // 6
          "lineage:", // 7
          "  webServers: [w3wp.exe, beasvc.exe, httpd.exe]", // 8
          "  webServerPrefixes: [tomcat]", // 9
          "shells: [cmd.exe, powershell.exe]", // 10
          "command:", // 11
          "  contains: ['%temp%']", // 12
          "  has: [wget, whoami, certutil, systeminfo, ping, ipconfig, timeout]", // 13
          "lookback: 7d", // 14
          "caps:", // 15
          "  maxCommandLines: 128", // 16
          "  maxTrackedCommandLines: 4096", // 17
          "");

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  private static String replaceLine(String text, int line, String replacement) {
    List<String> lines = new java.util.ArrayList<>(List.of(text.split("\n", -1)));
    lines.set(line - 1, replacement);
    return String.join("\n", lines);
  }

  private RuleFileException loadFails(String text) throws IOException {
    Path file = write("rules.yaml", text);
    return assertThrows(RuleFileException.class, () -> RuleFiles.load(file));
  }

  private void assertError(RuleFileException e, int line, String key, String... fragments) {
    String message = e.getMessage();
    assertTrue(
        message.startsWith(dir.resolve("rules.yaml") + ":" + line + ": "),
        "file and line first: " + message);
    assertEquals(line, e.line(), message);
    assertEquals(key, e.key(), message);
    assertTrue(message.contains("'" + key + "'"), "names the key: " + message);
    assertFalse(message.contains("\n"), "one line: " + message);
    for (String fragment : fragments) {
      assertTrue(message.contains(fragment), "'" + fragment + "' in: " + message);
    }
  }

  @Test
  void shouldReadTheBuiltInKqlProfileAsExactlyTheSeedRule() {
    assertEquals(RuleSpec.seed(), RuleFiles.builtIn("kql"));
  }

  @Test
  void shouldReadACopyOfKqlYamlFromDiskAsTheSeedRule() throws IOException {
    String text;
    try (var in = RuleFiles.class.getClassLoader().getResourceAsStream("rules/kql.yaml")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(RuleSpec.seed(), RuleFiles.load(write("kql.yaml", text)));
  }

  @Test
  void shouldReadTheHardenedProfileWithTheSeedIdentityAndItsOwnVersion() {
    RuleSpec hardened = RuleFiles.builtIn("hardened");
    RuleSpec seed = RuleSpec.seed();
    assertEquals("hardened", hardened.profile());
    assertEquals(seed.id(), hardened.id());
    assertEquals(seed.name(), hardened.name());
    assertEquals("1.1.0", hardened.version());
    assertEquals(seed.severity(), hardened.severity());
    assertEquals(seed.lookback(), hardened.lookback());
    assertTrue(hardened.lineageIgnoreCase());
    assertTrue(hardened.reducePathsToFileNames());
    assertTrue(hardened.webServers().containsAll(seed.webServers()));
    assertTrue(hardened.shells().containsAll(seed.shells()));
    assertTrue(hardened.containsTokens().containsAll(seed.containsTokens()));
    assertTrue(hardened.hasTokens().containsAll(seed.hasTokens()));
    assertTrue(hardened.hasAllTokens().contains(List.of("net", "user")));
    assertEquals(
        List.of("java.exe", "javaw.exe"),
        hardened.conditionalWebServers().stream().map(ConditionalWebServer::fileName).toList());
  }

  @Test
  void shouldListTheAvailableProfilesWhenTheProfileIsUnknown() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RuleFiles.builtIn("strict"));
    assertTrue(e.getMessage().contains("'strict'"), e.getMessage());
    assertTrue(e.getMessage().contains("kql, hardened"), e.getMessage());
    assertEquals(List.of("kql", "hardened"), RuleFiles.profileNames());
    assertTrue(RuleFiles.describeProfiles().contains("hardened"));
    assertTrue(RuleFiles.profiles().get("kql").contains("default"));
  }

  @Test
  void shouldTakeTheProfileFromTheFileNameAndTheCapsFromTheDefaultsWhenLeftOut()
      throws IOException {
    String text = BASE.substring(0, BASE.indexOf("caps:"));
    RuleSpec spec = RuleFiles.load(write("night-shift.yaml", text));
    assertEquals("night-shift", spec.profile());
    assertEquals(RuleSpec.DEFAULT_MAX_COMMAND_LINES, spec.maxCommandLines());
    assertEquals(RuleSpec.DEFAULT_MAX_TRACKED_COMMAND_LINES, spec.maxTrackedCommandLines());
    assertEquals(
        RuleSpec.seed().withBounds(spec.lookback(), 128, 64, 4096).shells(), spec.shells());
    assertFalse(spec.lineageIgnoreCase());
  }

  @ParameterizedTest
  @ValueSource(strings = {"7d", "168h", "10080m", "604800s", "P7D", "PT168H", "p7d"})
  void shouldAcceptSevenDaysInEverySpelling(String lookback) throws IOException {
    RuleSpec spec =
        RuleFiles.load(write("rules.yaml", replaceLine(BASE, 14, "lookback: " + lookback)));
    assertEquals(Duration.ofDays(7), spec.lookback());
  }

  @Test
  void shouldRejectAnUnknownKeyNamingFileLineAndKnownKeys() throws IOException {
    RuleFileException e = loadFails(replaceLine(BASE, 10, "sheels: [cmd.exe]"));
    assertError(e, 10, "sheels", "unknown key", "known: id, name,", "shells");
  }

  @Test
  void shouldRejectAnUnknownNestedKeyWithItsDottedPath() throws IOException {
    RuleFileException e = loadFails(replaceLine(BASE, 9, "  webServerPrefix: [tomcat]"));
    assertError(e, 9, "lineage.webServerPrefix", "unknown key", "webServerPrefixes");
  }

  @Test
  void shouldRejectAnEmptyList() throws IOException {
    RuleFileException e = loadFails(replaceLine(BASE, 10, "shells: []"));
    assertError(e, 10, "shells", "empty list");
  }

  @Test
  void shouldRejectAnEmptyNestedList() throws IOException {
    RuleFileException e = loadFails(replaceLine(BASE, 13, "  has: []"));
    assertError(e, 13, "command.has", "empty list");
  }

  @ParameterizedTest
  @ValueSource(strings = {"7x", "seven days", "7", "d", "P7", "-7d", "0d"})
  void shouldRejectABadDuration(String lookback) throws IOException {
    RuleFileException e = loadFails(replaceLine(BASE, 14, "lookback: " + lookback));
    assertError(e, 14, "lookback");
  }

  @Test
  void shouldRejectANumberAsDurationSayingWhichSpellingsWork() throws IOException {
    RuleFileException e = loadFails(replaceLine(BASE, 14, "lookback: 7"));
    assertError(e, 14, "lookback", "7d", "168h", "P7D");
  }

  @Test
  void shouldRejectAMissingRequiredKeyOnTheLineOfItsSection() throws IOException {
    RuleFileException top = loadFails(replaceLine(BASE, 10, "# no shells"));
    assertError(top, 1, "shells", "missing required key");
    RuleFileException nested =
        loadFails(
            BASE.replace(
                "  webServers: [w3wp.exe, beasvc.exe, httpd.exe]\n  webServerPrefixes: [tomcat]\n",
                "  ignoreCase: true\n  reducePathsToFileNames: true\n"));
    assertError(nested, 7, "lineage", "needs at least one of webServers");
  }

  @Test
  void shouldRejectAScalarWhereAListIsExpected() throws IOException {
    RuleFileException e = loadFails(replaceLine(BASE, 10, "shells: cmd.exe"));
    assertError(e, 10, "shells", "must be a list, not a string");
  }

  @Test
  void shouldRejectAStringWhereAnIntegerIsExpected() throws IOException {
    RuleFileException e = loadFails(replaceLine(BASE, 16, "  maxCommandLines: many"));
    assertError(e, 16, "caps.maxCommandLines", "must be an integer, not a string");
  }

  @Test
  void shouldRejectANumberWhereAStringIsExpectedAndSayQuoteIt() throws IOException {
    RuleFileException e = loadFails(replaceLine(BASE, 3, "version: 1.0"));
    assertError(e, 3, "version", "must be a string, not a number", "quote it");
  }

  @Test
  void shouldRejectAListItemOfTheWrongType() throws IOException {
    RuleFileException e = loadFails(replaceLine(BASE, 13, "  has: [wget, 42]"));
    assertError(e, 13, "command.has[1]", "must be a string, not an integer");
  }

  @Test
  void shouldRejectCapsOutOfRange() throws IOException {
    RuleFileException e = loadFails(replaceLine(BASE, 17, "  maxTrackedCommandLines: 64"));
    assertError(e, 17, "caps.maxTrackedCommandLines", "between 128 and");
  }

  @Test
  void shouldRejectAnUnknownSeverity() throws IOException {
    RuleFileException e = loadFails(replaceLine(BASE, 4, "severity: Critical"));
    assertError(e, 4, "severity", "Informational, Low, Medium, High");
  }

  @Test
  void shouldRejectADuplicateKey() throws IOException {
    RuleFileException e = loadFails(replaceLine(BASE, 14, "name: again"));
    assertError(e, 14, "name", "duplicate key", "first on line 2");
  }

  @Test
  void shouldRejectAnAllTermsGroupWithASeparatorInATerm() throws IOException {
    RuleFileException e =
        loadFails(BASE.replace("  has: [wget,", "  hasAll: [[net.exe, user]]\n  has: [wget,"));
    assertError(e, 13, "command.hasAll[0][0]", "letters and digits");
  }

  @Test
  void shouldRejectAConditionalWebServerWithoutTokens() throws IOException {
    RuleFileException e =
        loadFails(
            BASE.replace(
                "  webServerPrefixes: [tomcat]\n",
                "  webServerPrefixes: [tomcat]\n  conditionalWebServers:\n    - fileName: java.exe\n"));
    assertError(
        e, 11, "lineage.conditionalWebServers[0].commandLineHasAny", "missing required key");
  }

  @Test
  void shouldRejectInvalidYamlWithItsLine() throws IOException {
    Path file = write("rules.yaml", replaceLine(BASE, 12, "  contains: ['%temp%'"));
    RuleFileException e = assertThrows(RuleFileException.class, () -> RuleFiles.load(file));
    assertTrue(e.getMessage().startsWith(file + ":"), e.getMessage());
    assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
    assertTrue(e.line() >= 12, e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void shouldRejectAnEmptyFile() throws IOException {
    RuleFileException e = loadFails("# nothing here\n");
    assertTrue(e.getMessage().contains("empty rule file"), e.getMessage());
  }

  @Test
  void shouldNameTheFileWhenItCannotBeRead() {
    Path missing = dir.resolve("missing.yaml");
    RuleFileException e = assertThrows(RuleFileException.class, () -> RuleFiles.load(missing));
    assertTrue(e.getMessage().startsWith(missing + ": cannot read"), e.getMessage());
    assertEquals(0, e.line());
  }
}
