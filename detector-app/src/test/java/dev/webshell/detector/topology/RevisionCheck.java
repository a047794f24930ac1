package dev.webshell.detector.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares one revision of the detector with the reference's: field by field where the README's
 * bounds promise exact figures, within those bounds where the detector says they are estimates.
 */
final class RevisionCheck {
  private RevisionCheck() {}

  /** How a revision was compared. */
  enum Kind {
    /** Every field equal. */
    EXACT,
    /** A line past maxExactEventsPerCommandLine, counts still exact: see {@link #SETS}. */
    FOLDED,
    /** countsExact=false after untracked lines; figures of the tracked lines equal. */
    OVERFLOWED,
    /** countsExact=false after a bucket straddled the window start: the documented bounds. */
    APPROXIMATE
  }

  /** The distinct-value sets that hourly buckets keep one value of, per bucket. */
  static final List<String> SETS =
      List.of("fileNames", "initiatingProcessFileNames", "initiatingProcessParentFileNames");

  /** Fields that do not depend on how the window counts. */
  private static final List<String> IDENTITY =
      List.of(
          "alertId",
          "revision",
          "ruleId",
          "ruleName",
          "ruleVersion",
          "profile",
          "severity",
          "tactics",
          "techniques",
          "deviceId",
          "lastSeen",
          "windowStart",
          "windowEnd",
          "commandLineCount",
          "truncated",
          "aheadOfClock");

  /**
   * @throws AssertionError naming the field, with both revisions
   */
  static Kind check(JsonNode actual, ReferenceDetector.Step step, String where) {
    ObjectNode expected = step.revision;
    for (String f : IDENTITY) {
      same(actual, expected, f, where);
    }
    boolean countsExact = actual.get("countsExact").asBoolean();
    if (countsExact && step.overflowed) {
      fail(where, "countsExact=true although lines were left untracked", actual, expected);
    }
    if (!countsExact && !step.overflowed && !step.mayStraddle) {
      fail(where, "countsExact=false with no bound exceeded", actual, expected);
    }
    if (!countsExact && step.mayStraddle) {
      approximate(actual, step, where);
      return Kind.APPROXIMATE;
    }
    if (!step.folded) {
      equal(actual, expected, where);
      return step.overflowed ? Kind.OVERFLOWED : Kind.EXACT;
    }
    // folded lines' buckets remember every distinct value: still exact while countsExact
    equal(actual, expected, where);
    return step.overflowed ? Kind.OVERFLOWED : Kind.FOLDED;
  }

  /** Whether the detector's sets hold fewer values than the content (hourly buckets). */
  static boolean setsLostValues(JsonNode actual, JsonNode expected) {
    for (String f : SETS) {
      if (actual.get(f).size() != expected.get(f).size()) {
        return true;
      }
    }
    return false;
  }

  /**
   * README "Bounds": once a bucket straddles the window start, matchCount and firstSeen are off by
   * at most one hour's events of the folded lines, and never outside the window.
   */
  private static void approximate(JsonNode actual, ReferenceDetector.Step step, String where) {
    ObjectNode expected = step.revision;
    long count = actual.get("matchCount").asLong();
    long exact = expected.get("matchCount").asLong();
    if (count < exact || count > step.matchCountUpperBound) {
      fail(
          where,
          "matchCount " + count + " outside [" + exact + ", " + step.matchCountUpperBound + "]",
          actual,
          expected);
    }
    long firstSeen = ReferenceDetector.parseMicros(actual.get("firstSeen").asText());
    long windowStart = ReferenceDetector.parseMicros(expected.get("windowStart").asText());
    for (JsonNode x : actual.get("evidence")) {
      if (ReferenceDetector.parseMicros(x.get("timestamp").asText()) <= windowStart) {
        fail(where, "evidence from before the window start", actual, expected);
      }
    }
    long exactFirst = ReferenceDetector.parseMicros(expected.get("firstSeen").asText());
    if (firstSeen <= windowStart || firstSeen > exactFirst) {
      fail(where, "firstSeen outside (windowStart, exact firstSeen]", actual, expected);
    }
    List<String> lines = strings(actual.get("commandLines"));
    List<String> exactLines = strings(expected.get("commandLines"));
    int count2 = expected.get("commandLineCount").asInt();
    if (lines.size() != exactLines.size()
        || (count2 == exactLines.size()
            ? !new HashSet<>(lines).equals(new HashSet<>(exactLines))
            : !step.allShownLines.containsAll(lines))) {
      fail(where, "commandLines are not the content's lines", actual, expected);
    }
    JsonNode evidence = actual.get("evidence");
    for (int i = 0; i < lines.size(); i++) {
      if (!evidence.get(i).get("processCommandLine").asText().equals(lines.get(i))) {
        fail(where, "evidence #" + i + " is not of its command line", actual, expected);
      }
    }
    if (count2 == exactLines.size()) {
      same(actual, expected, "commandLinesCut", where);
    }
    for (String f : SETS) {
      Set<String> near =
          switch (f) {
            case "fileNames" -> step.nearFileNames;
            case "initiatingProcessFileNames" -> step.nearInitiatingFileNames;
            default -> step.nearParentFileNames;
          };
      for (String v : strings(actual.get(f))) {
        if (!near.contains(v)) {
          fail(
              where,
              f + " holds '" + v + "', no match of the last lookback + 1h",
              actual,
              expected);
        }
      }
    }
    nameWithin(actual, step, where);
  }

  private static void nameWithin(JsonNode actual, ReferenceDetector.Step step, String where) {
    JsonNode name = actual.get("deviceName");
    if (!name.isNull() && !step.nearDeviceNames.contains(name.asText())) {
      fail(where, "deviceName of no match in the window", actual, step.revision);
    }
  }

  private static final Map<String, String> FIRST_OF =
      Map.of(
          "fileNames", "fileName",
          "initiatingProcessFileNames", "initiatingProcessFileName",
          "initiatingProcessParentFileNames", "initiatingProcessParentFileName");

  private static void same(JsonNode actual, JsonNode expected, String field, String where) {
    if (!expected.get(field).equals(actual.get(field))) {
      fail(where, field + " differs", actual, expected);
    }
  }

  private static void equal(JsonNode actual, ObjectNode expected, String where) {
    ObjectNode got = ReferenceDetector.comparable(actual, expected);
    if (!got.equals(expected)) {
      List<String> differing = new ArrayList<>();
      expected
          .fieldNames()
          .forEachRemaining(
              f -> {
                if (!expected.get(f).equals(got.get(f))) {
                  differing.add(f);
                }
              });
      fail(where, "fields differ: " + differing, got, expected);
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static void fail(String where, String what, JsonNode actual, JsonNode expected) {
    throw new AssertionError(
        where
            + ": "
            + what
            + "\n  detector:  "
            + abbreviate(actual)
            + "\n  reference: "
            + abbreviate(expected));
  }

  private static String abbreviate(JsonNode n) {
    String s = n.toString();
    return s.length() > 6000 ? s.substring(0, 6000) + "…" : s;
  }
}
