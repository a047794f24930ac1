package dev.webshell.detector.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.rule.RuleSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the wider differential run found the detector departing from the SPEC and README as the
 * reference reads them: each case as small as it gets, the detector against the reference (or
 * against the documented property). These fail until the detector (or the documents) change.
 */
class ReferenceFindingsTest {
  @TempDir Path stateDir;

  /**
   * SPEC 4: the alert carries "sets of all distinct values" of the content. Past
   * maxExactEventsPerCommandLine the detector folds a line's older events into hourly buckets that
   * keep one event each, so values held only by the other folded events drop out of fileNames,
   * initiatingProcessFileNames and initiatingProcessParentFileNames, while countsExact stays true
   * and no document names this loss (README "Bounds" promises matchCount and firstSeen only).
   */
  @Test
  void shouldListEveryDistinctValueOfTheWindowWhileItSaysItsCountsAreExact() {
    ReferenceDetector reference = new ReferenceDetector(RuleSpec.seed().lookbackMicros(), 128);
    List<JsonNode> expected = new ArrayList<>();
    List<JsonNode> actual = new ArrayList<>();
    try (TopologyHarness detector = new TopologyHarness(RuleSpec.seed(), stateDir)) {
      for (int i = 0; i <= 70; i++) {
        Ev e = Ev.at(Duration.ofSeconds(i)).cmd("cmd /c ping -n 1 db01").report(i);
        if (i == 2) {
          e.file("PowerShell.exe").initiating("tomcat9.exe").parent("services.exe");
        }
        if (i == 70) {
          e.cmd("cmd /c whoami");
        }
        expected.addAll(reference.process(e));
        actual.addAll(detector.send(e));
      }
    }
    assertEquals(2, expected.size());
    assertEquals(2, actual.size());
    JsonNode got = actual.get(1);
    assertEquals(71, got.get("matchCount").asInt());
    assertTrue(got.get("countsExact").asBoolean());
    assertEquals(
        expected.get(1).toString(),
        ReferenceDetector.comparable(got, expected.get(1)).toString(),
        "fileNames [cmd.exe, PowerShell.exe], initiatingProcessFileNames [w3wp.exe, tomcat9.exe],"
            + " initiatingProcessParentFileNames [svchost.exe, services.exe]");
  }

  /**
   * README: evidence is "the earliest event of each listed command line" of the window content.
   * When an hourly bucket straddles the window start (countsExact=false), the bucket's kept event
   * may be one that has left the window: the alert then shows it as evidence (and takes fileName
   * and the other first-event fields from it), dated at or before windowStart, older than its own
   * firstSeen. The documented estimate covers matchCount and firstSeen only.
   */
  @Test
  void shouldTakeEvidenceFromTheWindowContentEvenWhenABucketStraddlesTheWindowStart() {
    RuleSpec seed = RuleSpec.seed();
    RuleSpec rule = seed.withBounds(seed.lookback(), 128, 1, 4096);
    List<JsonNode> actual = new ArrayList<>();
    try (TopologyHarness detector = new TopologyHarness(rule, stateDir)) {
      // three events of one line within an hour; with one exact event per line, the first two
      // are folded into the bucket of that hour, which keeps the earliest (10:00)
      actual.addAll(detector.send(Ev.at(Duration.ofMinutes(0)).cmd("cmd /c ping x").report(1)));
      actual.addAll(
          detector.send(
              Ev.at(Duration.ofMinutes(20)).cmd("cmd /c ping x").report(2).file("CMD.EXE")));
      actual.addAll(detector.send(Ev.at(Duration.ofMinutes(40)).cmd("cmd /c ping x").report(3)));
      // seven days and ten minutes later: the window starts at 10:10, inside the bucket's hour
      actual.addAll(
          detector.send(Ev.at(Duration.ofDays(7).plusMinutes(10)).cmd("cmd /c whoami").report(4)));
    }
    JsonNode last = actual.get(actual.size() - 1);
    assertEquals(false, last.get("countsExact").asBoolean(), "the bucket straddles");
    long windowStart = Timestamps.parseMicros(last.get("windowStart").asText());
    for (JsonNode evidence : last.get("evidence")) {
      assertTrue(
          Timestamps.parseMicros(evidence.get("timestamp").asText()) > windowStart,
          "evidence " + evidence + " lies outside the window starting " + last.get("windowStart"));
    }
  }

  /**
   * SPEC 4, "Clock skew": an event dated later than the detector's clock plus its tolerance "still
   * counts for its own device (its window, its alert, marked as such)". When it is the first event
   * the task reads, stream time has no value yet and the lookback test {@code ts <= streamTime -
   * lookback} is computed from Long.MIN_VALUE: it wraps around and drops the match as late.
   */
  @Test
  void shouldCountAMatchDatedAheadOfTheClockWhenItIsTheFirstEventTheTaskReads() {
    DetectorClock clock = DetectorClock.fixedAt(Ev.T0, Duration.ZERO);
    Ev ahead = Ev.at(Duration.ofDays(1)).cmd("cmd /c whoami");
    ReferenceDetector reference =
        new ReferenceDetector(RuleSpec.seed().lookbackMicros(), 128, Timestamps.toMicros(Ev.T0));
    JsonNode expected = reference.process(ahead).get(0);
    assertTrue(expected.get("aheadOfClock").asBoolean());
    List<JsonNode> actual;
    try (TopologyHarness detector =
        new TopologyHarness(
            RuleSpec.seed(),
            stateDir,
            new dev.webshell.detector.event.InputDeserializer(
                dev.webshell.detector.event.InputFormat.AUTO, null),
            clock)) {
      actual = detector.send(ahead);
    }
    assertEquals(1, actual.size(), "a revision for the device whose clock runs ahead");
    assertEquals(
        expected.toString(), ReferenceDetector.comparable(actual.get(0), expected).toString());
  }

  /**
   * README "Bounds": a line longer than maxCommandLineLength "is cut". Cutting at a UTF-16 index
   * that falls between the two halves of a surrogate pair leaves a lone high surrogate, which the
   * detector's serialization turns into '?': the alert then shows a character the command line
   * never held.
   */
  @Test
  void shouldShowACutLineAsAPrefixOfTheLineEvenWhereTheCutSplitsASurrogatePair() {
    RuleSpec rule = RuleSpec.seed();
    StringBuilder b = new StringBuilder("cmd /c whoami ");
    while (b.length() < rule.maxCommandLineLength() - 1) {
      b.append('a');
    }
    String line = b.append("\uD835\uDC30 and more").toString(); // 𝐰 across the cut
    List<JsonNode> actual;
    try (TopologyHarness detector = new TopologyHarness(rule, stateDir)) {
      actual = detector.send(Ev.at(Duration.ZERO).cmd(line));
    }
    String shown = actual.get(0).get("commandLines").get(0).asText();
    assertTrue(actual.get(0).get("commandLinesCut").asBoolean());
    assertTrue(
        line.startsWith(shown),
        "the cut line ends in U+"
            + Integer.toHexString(shown.charAt(shown.length() - 1))
            + ", not a prefix of the line");
  }
}
