package dev.webshell.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.generator.ProcessTreeTraffic;
import dev.webshell.detector.generator.WindowsEventJson;
import dev.webshell.detector.offline.Scanner;
import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.detector.topology.StreamsSettings;
import dev.webshell.testkit.registry.ApicurioRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Runs {@code demo} through picocli in-process, on a real in-process broker, and checks what it
 * prints against an oracle: the same scripted events replayed through the offline scanner (the
 * detector's topology in a TopologyTestDriver).
 */
class DemoCommandTest {
  private static final long SEED = 7;
  private static final int DEVICES = 200;
  private static final long EVENTS = 1500;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One revision as the scanner emits it.
   *
   * @param chain the first match's grandparent, parent and file name, as the header prints them
   * @param grandparents the alert's {@code initiatingProcessParentFileNames}
   */
  record Revision(
      String host,
      String alertId,
      int revision,
      long matches,
      int lines,
      List<String> commandLines,
      String chain,
      List<String> grandparents) {}

  @Test
  @Timeout(240)
  void shouldPrintTheSoftCellAndTomcatAlertsRevisionByRevisionAndASummaryThenExitZero()
      throws Exception {
    List<Revision> expected = oracle();
    // the story: one Soft Cell alert (5 distinct lines) and one Tomcat alert (3), nothing else
    assertEquals(8, expected.size(), "oracle: " + expected);
    Revision softCell = revisionWith(expected, "cmd.exe /c systeminfo");
    Revision tomcat = revisionWith(expected, "cmd.exe /c timeout /t 30");
    assertFalse(softCell.host().equals(tomcat.host()), "seed puts both on one server");

    // one stream thread per input partition, whatever the CPUs: the wait for the last alerts
    // (CatchUp) must hold when several threads commit on their own
    Result r = run(Demo.PARTITIONS, "--registry", "mock");

    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("exactly_once_v2, 3 stream threads)"), r.output());
    assertRevisionsPrinted(expected, r.output());
    String summary = r.output();
    assertRow(summary, "events produced", "1,500 ");
    assertRow(summary, "events read", "1,500");
    assertRow(summary, "matches", "9");
    assertRow(summary, "alert revisions", "8");
    assertRow(summary, "alerts", "2");
    assertRow(summary, "devices alerted", "2 (" + softCell.host() + ", " + tomcat.host() + ")");
    assertRow(summary, "dead letters", "0");
    assertRow(summary, "schema registry", "mock://demo");
    assertTrue(summary.matches("(?s).*\\n  Kafka +localhost:\\d+ .*"), summary);
    assertTrue(summary.matches("(?s).*\\n  metrics +http://localhost:\\d+/metrics.*"), summary);
    assertTrue(summary.matches("(?s).*\\n  time taken +\\d+\\.\\d s .*"), summary);
    assertFalse(r.output().contains("\u001b["), "no colour without a terminal");
    assertFalse(r.output().contains("Formatting metadata directory"), "broker noise on stdout");
    // the terminal shows the demo: Kafka's and the detector's logs went to the demo's log file
    assertTrue(
        r.output().contains("demo: logs of Kafka, the detector and the registry: "), r.output());
    assertTrue(r.stderr().lines().count() <= 3, "stderr:\n" + r.stderr());
    assertFalse(r.stderr().contains("INFO"), "stderr:\n" + r.stderr());
  }

  @Test
  @Timeout(240)
  void shouldRunTheSameStoryThroughARealApicurioRegistry() throws Exception {
    List<Revision> expected = oracle();

    Result r = run(null, "--registry", "apicurio");

    assertEquals(0, r.exit(), r.output());
    int threads = StreamsSettings.defaultStreamThreads();
    assertTrue(
        r.output()
            .contains(
                "exactly_once_v2, " + threads + " stream thread" + (threads == 1 ? ")" : "s)")),
        "the detector's default, one stream thread per CPU:\n" + r.output());
    assertRevisionsPrinted(expected, r.output());
    assertTrue(
        r.output()
            .matches(
                "(?s).*\\n  schema registry +http://127\\.0\\.0\\.1:\\d+/apis/ccompat/v7 \\(Apicurio "
                    + Pattern.quote(ApicurioRegistry.VERSION)
                    + "\\).*"),
        r.output());
    assertRow(r.output(), "alert revisions", "8");
  }

  @Test
  @Timeout(240)
  void shouldShowSysmonWebShellsWithAGrandchildMatchedThroughItsGrandparentAsScanDoes()
      throws Exception {
    // the same records the demo sends, dated as the existing oracle dates them
    SysmonScript script = new SysmonScript(SEED, DEVICES, EVENTS);
    StringBuilder lines = new StringBuilder();
    long creations = 0;
    long t = Timestamps.toMicros(Instant.now().minus(Duration.ofHours(1)));
    while (!script.batchDone()) {
      ProcessTreeTraffic.Record record = script.next(t += 1000);
      if (record.kind() == ProcessTreeTraffic.Kind.CREATE) {
        creations++;
      }
      lines.append(WindowsEventJson.toJson(record, WindowsEventJson.Shape.SYSMON)).append('\n');
    }
    List<Revision> expected = scan(lines.toString());
    // the story: IIS (a grandchild), Tomcat (children) and Apache (a grandchild) alert; Tomcat on
    // java.exe is the kql profile's blind spot
    Revision iis = revisionWith(expected, "powershell.exe -nop -c whoami /all");
    assertEquals("w3wp.exe > cmd.exe > powershell.exe", iis.chain(), "oracle: " + expected);
    assertEquals(List.of("w3wp.exe"), iis.grandparents());
    assertTrue(
        expected.stream().anyMatch(r -> r.grandparents().contains("httpd.exe")),
        "oracle: " + expected);
    assertTrue(
        expected.stream().anyMatch(r -> r.chain().startsWith("Tomcat9.exe > cmd.exe")),
        "oracle: " + expected);
    assertTrue(
        expected.stream().noneMatch(r -> r.chain().contains("java.exe")), "oracle: " + expected);
    Map<String, Revision> last = new LinkedHashMap<>();
    expected.forEach(r -> last.put(r.alertId(), r));
    assertEquals(3, last.size(), "oracle: " + expected);

    Result r = run(Demo.PARTITIONS, "--registry", "mock", "--input", "sysmon");

    assertEquals(0, r.exit(), r.output());
    assertTrue(
        r.output().contains("input format auto (Sysmon JSON), Avro alerts, exactly_once_v2"),
        r.output());
    assertRevisionsPrinted(expected, r.output());
    // the header of the IIS alert names the grandparent, which no Sysmon record carries
    assertTrue(
        r.output()
            .matches(
                "(?s).*\\n"
                    + Pattern.quote(iis.host())
                    + " +alert [0-9a-f]{8}  rev 1  1 match, 1 command line "
                    + " w3wp\\.exe > cmd\\.exe > powershell\\.exe  NEW ALERT\\n.*"),
        r.output());
    String summary = r.output();
    assertRow(summary, "records produced", "1,500 Sysmon records (200 hosts; ");
    assertRow(
        summary,
        "records read",
        String.format(
            Locale.ROOT,
            "1,500: %,d process creations, %,d skipped (not a process creation)",
            creations,
            EVENTS - creations));
    assertRow(
        summary,
        "matches",
        Long.toString(last.values().stream().mapToLong(Revision::matches).sum()));
    assertRow(summary, "alert revisions", Integer.toString(expected.size()));
    assertRow(summary, "alerts", "3");
    assertRow(summary, "dead letters", "0");
    assertTrue(r.stderr().lines().count() <= 3, "stderr:\n" + r.stderr());
  }

  @Test
  void shouldRefuseAnUnknownInputAsAUsageError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DemoInput.parse("winlogbeat"));
    assertEquals("--input must be defender or sysmon", e.getMessage());
    assertEquals(DemoInput.SYSMON, DemoInput.parse("sysmon"));

    assertEquals(2, run(null, "--input", "winlogbeat").exit());
  }

  /**
   * @param output stdout and picocli's stderr
   * @param stderr what the JVM's stderr received meanwhile (log lines)
   */
  private record Result(int exit, String output, String stderr) {}

  /**
   * @param streamThreads the detector's stream threads, or null for its default
   */
  private static Result run(Integer streamThreads, String... extra) {
    DemoCommand command = new DemoCommand();
    command.handleSignals = false;
    command.streamThreads = streamThreads;
    CommandLine cl = new CommandLine(command);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    List<String> args =
        new ArrayList<>(
            List.of(
                "--events", Long.toString(EVENTS),
                "--devices", Integer.toString(DEVICES),
                "--seed", Long.toString(SEED),
                "--rate", "0",
                "--color", "never"));
    args.addAll(List.of(extra));
    PrintStream jvmErr = System.err;
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    int exit;
    System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
    try {
      exit = cl.execute(args.toArray(String[]::new));
    } finally {
      System.setErr(jvmErr);
    }
    String stderr = logged.toString(StandardCharsets.UTF_8);
    jvmErr.print(stderr);
    return new Result(exit, out + err.toString(), stderr);
  }

  /** The same events through the offline scanner: the revisions the demo must print. */
  private static List<Revision> oracle() throws Exception {
    DemoScript script = new DemoScript(SEED, DEVICES, EVENTS);
    StringBuilder lines = new StringBuilder();
    // dated as the demo dates them, by the wall clock: the scanner's clock is now, and events
    // ahead of it by more than its tolerance do not advance stream time
    long t = Timestamps.toMicros(Instant.now().minus(Duration.ofHours(1)));
    while (!script.batchDone()) {
      lines.append(EventJson.toJson(script.next(t += 1000))).append('\n');
    }
    return scan(lines.toString());
  }

  /** The revisions the offline scanner gives for these JSON lines; a dead letter fails the test. */
  private static List<Revision> scan(String lines) throws Exception {
    List<Revision> revisions = new ArrayList<>();
    try (Scanner scanner = new Scanner(RuleFiles.builtIn("kql"))) {
      scanner.scan(
          new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)),
          json -> revisions.add(parse(json)),
          problem -> {
            throw new AssertionError(problem);
          });
    }
    return revisions;
  }

  private static Revision parse(String json) {
    try {
      JsonNode a = JSON.readTree(json);
      List<String> commandLines = new ArrayList<>();
      a.get("commandLines").forEach(n -> commandLines.add(n.asText()));
      List<String> grandparents = new ArrayList<>();
      a.get("initiatingProcessParentFileNames").forEach(n -> grandparents.add(n.asText()));
      List<String> chain = new ArrayList<>();
      for (String field :
          List.of("initiatingProcessParentFileName", "initiatingProcessFileName", "fileName")) {
        if (a.hasNonNull(field)) {
          chain.add(a.get(field).asText());
        }
      }
      return new Revision(
          a.get("hostName").asText(),
          a.get("alertId").asText(),
          a.get("revision").asInt(),
          a.get("matchCount").asLong(),
          a.get("commandLineCount").asInt(),
          commandLines,
          String.join(" > ", chain),
          grandparents);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Revision revisionWith(List<Revision> revisions, String commandLine) {
    return revisions.stream()
        .filter(r -> r.commandLines().contains(commandLine))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no revision with " + commandLine));
  }

  /**
   * Every expected revision is printed, per device in order, with its counts and exactly the
   * command lines it added to the previous revision.
   */
  private static void assertRevisionsPrinted(List<Revision> expected, String output) {
    Pattern header =
        Pattern.compile(
            "(?m)^(\\S+) +alert ([0-9a-f]{8})  rev (\\d+)  ([\\d,]+) match(?:es)?, (\\d+) command"
                + " lines?  .*$");
    Map<String, List<String>> printedByHost = new LinkedHashMap<>();
    Matcher m = header.matcher(output);
    while (m.find()) {
      int end = output.indexOf('\n', m.end());
      StringBuilder block = new StringBuilder(m.group(3) + "|" + m.group(4) + "|" + m.group(5));
      int next = end + 1;
      while (next < output.length() && output.startsWith("    + ", next)) {
        int eol = output.indexOf('\n', next);
        block.append("|").append(output, next + 6, eol);
        next = eol + 1;
      }
      printedByHost.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(block.toString());
    }
    Map<String, List<String>> expectedByHost = new LinkedHashMap<>();
    Map<String, List<String>> previous = new LinkedHashMap<>();
    for (Revision r : expected) {
      List<String> before = previous.getOrDefault(r.host(), List.of());
      StringBuilder block = new StringBuilder(r.revision() + "|" + r.matches() + "|" + r.lines());
      for (String line : r.commandLines()) {
        if (!before.contains(line)) {
          block.append("|").append(line);
        }
      }
      expectedByHost.computeIfAbsent(r.host(), k -> new ArrayList<>()).add(block.toString());
      previous.put(r.host(), r.commandLines());
    }
    assertEquals(expectedByHost, printedByHost, output);
  }

  private static void assertRow(String text, String label, String valueStart) {
    Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(label) + " +(.*)$").matcher(text);
    assertTrue(m.find(), "no row '" + label + "' in\n" + text);
    assertTrue(
        m.group(1).startsWith(valueStart),
        "row '"
            + label
            + "' is '"
            + m.group(1)
            + "', expected it to start with '"
            + valueStart
            + "'");
  }
}
