package dev.webshell.detector.topology;

import static java.time.Duration.ofDays;
import static java.time.Duration.ofHours;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.rule.RuleSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC 4, closing revision: when a device's window empties (stream time reaches lastSeen + 7 days
 * with no newer match), its alert emits one last revision with status "closed", its revision + 1,
 * the same command lines and the final figures of the content at its last match.
 */
class ClosingRevisionsTest {
  @TempDir Path stateDir;
  TopologyHarness detector;

  @BeforeEach
  void start() {
    detector = new TopologyHarness(RuleSpec.seed(), stateDir);
  }

  @AfterEach
  void stop() {
    detector.close();
  }

  /** A non-matching event of another device: it only moves stream time. */
  static Ev quiet(Duration at) {
    return Ev.at(at).device("other").file("notepad.exe");
  }

  static List<JsonNode> closed(List<JsonNode> revisions) {
    return revisions.stream().filter(r -> "closed".equals(r.get("status").asText())).toList();
  }

  @Test
  void shouldCloseWithTheFinalFiguresIncludingRepeatsThatEmittedNothing() {
    JsonNode r1 = detector.send(Ev.at(Duration.ZERO)).get(0);
    JsonNode r2 = detector.send(Ev.at(ofMinutes(1)).cmd("cmd /c ipconfig")).get(0);
    assertEquals(List.of(), detector.send(Ev.at(ofMinutes(2)))); // a repeat: nothing emitted
    assertEquals(List.of(), detector.send(Ev.at(ofHours(5)).cmd("cmd /c ipconfig")));

    List<JsonNode> out = new ArrayList<>(detector.send(quiet(ofDays(7).plus(ofHours(5)))));
    out.addAll(detector.flush());

    assertEquals(1, out.size(), "one closing revision");
    JsonNode c = out.get(0);
    assertEquals("closed", c.get("status").asText());
    assertEquals("open", r1.get("status").asText());
    assertEquals(r1.get("alertId"), c.get("alertId"));
    assertEquals(3, c.get("revision").asInt(), "the last revision + 1");
    assertEquals(r2.get("commandLines"), c.get("commandLines"));
    assertEquals(4, c.get("matchCount").asInt(), "the repeats count now");
    assertEquals("2026-11-02T15:00:00.000000Z", c.get("lastSeen").asText());
    assertEquals("2026-11-02T10:00:00.000000Z", c.get("firstSeen").asText());
  }

  @Test
  void shouldNotCloseAWindowThatHasNotEmptiedByTheEndOfTheInput() {
    detector.send(Ev.at(Duration.ZERO));
    detector.send(quiet(ofDays(7).minusSeconds(1)));
    assertEquals(List.of(), closed(detector.flush()));
  }

  @Test
  void shouldCloseExactlyAtLastSeenPlusSevenDays() {
    detector.send(Ev.at(Duration.ZERO));
    List<JsonNode> out = new ArrayList<>(detector.send(quiet(ofDays(7).minusNanos(1000))));
    assertEquals(List.of(), closed(out), "a microsecond before: still open");
    out.addAll(detector.send(quiet(ofDays(7))));
    out.addAll(detector.flush());
    assertEquals(1, closed(out).size());
  }

  @Test
  void shouldCloseOnlyOnceHoweverMuchTimePassesAfterwards() {
    detector.send(Ev.at(Duration.ZERO));
    List<JsonNode> out = new ArrayList<>();
    for (int day = 7; day < 30; day++) {
      out.addAll(detector.send(quiet(ofDays(day))));
      out.addAll(detector.flush());
    }
    assertEquals(1, closed(out).size());
  }

  @Test
  void shouldCloseWithinAMinuteOfEventTimeWithoutWaitingForTheEndOfTheInput() {
    detector.send(Ev.at(Duration.ZERO));
    List<JsonNode> out = new ArrayList<>();
    Duration t = ofDays(7).minusMinutes(5);
    while (closed(out).isEmpty() && t.compareTo(ofDays(8)) < 0) {
      out.addAll(detector.send(quiet(t)));
      t = t.plusSeconds(10);
    }
    assertEquals(1, closed(out).size());
    Duration lateBy = t.minus(ofDays(7));
    assertTrue(
        lateBy.compareTo(ofSeconds(70)) <= 0,
        "the sources' progress reaches the window every minute of event time: " + lateBy);
  }

  @Test
  void shouldCloseTheOldAlertBeforeANewOneOpensOnTheSameDevice() {
    JsonNode first = detector.send(Ev.at(Duration.ZERO)).get(0);
    List<JsonNode> out = detector.send(Ev.at(ofDays(9)).cmd("cmd /c ipconfig"));
    assertEquals(2, out.size());
    assertEquals("closed", out.get(0).get("status").asText());
    assertEquals(first.get("alertId"), out.get(0).get("alertId"));
    assertEquals("open", out.get(1).get("status").asText());
    assertEquals(1, out.get(1).get("revision").asInt());
  }

  @Test
  void shouldCloseTheOldAlertWhenAMatchDatedAheadOfTheClockEmptiesItsWindow() {
    DetectorClock clock =
        DetectorClock.fixedAt(Ev.T0.plus(ofDays(1)), DetectorClock.DEFAULT_TOLERANCE);
    try (TopologyHarness withClock =
        new TopologyHarness(
            RuleSpec.seed(),
            stateDir.resolve("c"),
            new InputDeserializer(InputFormat.AUTO, null),
            clock)) {
      JsonNode first = withClock.send(Ev.at(Duration.ZERO)).get(0);
      // a year ahead of the clock: stream time does not move, yet this window empties
      List<JsonNode> out = withClock.send(Ev.at(ofDays(365)).cmd("cmd /c ipconfig"));
      assertEquals(2, out.size());
      assertEquals("closed", out.get(0).get("status").asText());
      assertEquals(first.get("alertId"), out.get(0).get("alertId"));
      assertTrue(out.get(1).get("aheadOfClock").asBoolean());
      assertEquals(List.of(), closed(withClock.flush()), "stream time never reached its close");
    }
  }

  @Test
  void shouldCloseSeveralDevicesInTheOrderTheirWindowsEmptied() {
    detector.send(Ev.at(ofHours(2)).device("b"));
    detector.send(Ev.at(ofHours(1)).device("c"));
    detector.send(Ev.at(ofHours(1)).device("a"));
    List<JsonNode> out = new ArrayList<>(detector.send(quiet(ofDays(8))));
    out.addAll(detector.flush());
    List<String> order = closed(out).stream().map(r -> r.get("deviceId").asText()).toList();
    assertEquals(List.of("a", "c", "b"), order, "by close time, then DeviceId");
  }
}
