package dev.webshell.detector.siem;

import dev.webshell.detector.event.Timestamps;
import dev.webshell.schema.AlertStatus;
import dev.webshell.schema.WebShellAlert;
import java.time.Duration;
import java.time.Instant;

/**
 * What a person reads about an alert revision, in the SIEM schemas' {@code message} and in pages:
 * one line naming the device, the process lineage and the figures. Written from the alert alone, so
 * the same revision always reads the same.
 */
public final class AlertSummary {
  private AlertSummary() {}

  public static boolean isClosed(WebShellAlert a) {
    return AlertStatus.CLOSED.equals(a.getStatus());
  }

  /** The device as people know it: its name, else its id. */
  public static String device(WebShellAlert a) {
    return a.getDeviceName() != null ? a.getDeviceName() : a.getDeviceId();
  }

  /** The rule's lookback: windowEnd - windowStart. */
  public static Duration lookback(WebShellAlert a) {
    return Duration.between(a.getWindowStart(), a.getWindowEnd());
  }

  /**
   * When the alert closed: its last match plus the lookback, the moment its window emptied
   * (meaningful for the closing revision).
   */
  public static Instant closedAt(WebShellAlert a) {
    return a.getLastSeen().plus(lookback(a));
  }

  /** The time a revision describes: its newest match, or for the closing one the close. */
  public static Instant time(WebShellAlert a) {
    return isClosed(a) ? closedAt(a) : a.getLastSeen();
  }

  /** {@code cmd.exe started by w3wp.exe (parent svchost.exe)}, leaving out what is unknown. */
  public static String lineage(WebShellAlert a) {
    StringBuilder b = new StringBuilder(a.getFileName() == null ? "a shell" : a.getFileName());
    if (a.getInitiatingProcessFileName() != null) {
      b.append(" started by ").append(a.getInitiatingProcessFileName());
      if (a.getInitiatingProcessParentFileName() != null) {
        b.append(" (parent ").append(a.getInitiatingProcessParentFileName()).append(')');
      }
    }
    return b.toString();
  }

  /**
   * A short title (at most about 120 characters for a typical device name): {@code Web shell
   * activity on web-iis-03.telco.example: cmd.exe started by w3wp.exe}.
   */
  public static String headline(WebShellAlert a) {
    String lineage =
        (a.getFileName() == null ? "a shell" : a.getFileName())
            + (a.getInitiatingProcessFileName() == null
                ? ""
                : " started by " + a.getInitiatingProcessFileName());
    return (isClosed(a) ? "Closed: w" : "W") + "eb shell activity on " + device(a) + ": " + lineage;
  }

  /**
   * One line with the figures: {@code cmd.exe started by w3wp.exe (parent svchost.exe) ran 3
   * distinct command lines (5 matches) on web-iis-03 between … and …; rule …, alert …, revision 2}.
   */
  public static String summary(WebShellAlert a) {
    StringBuilder b = new StringBuilder(256);
    if (isClosed(a)) {
      b.append("Closed after ").append(days(lookback(a))).append(" without a new match: ");
    }
    b.append(lineage(a))
        .append(" ran ")
        .append(a.getCommandLineCount())
        .append(
            a.getCommandLineCount() == 1 ? " distinct command line (" : " distinct command lines (")
        .append(a.getMatchCount())
        .append(a.getMatchCount() == 1 ? " match" : " matches")
        .append(a.getCountsExact() ? "" : ", estimated")
        .append(") on ")
        .append(device(a))
        .append(" between ")
        .append(Timestamps.format(a.getFirstSeen()))
        .append(" and ")
        .append(Timestamps.format(a.getLastSeen()))
        .append("; rule '")
        .append(a.getRuleName())
        .append("' (")
        .append(a.getProfile())
        .append("), alert ")
        .append(a.getAlertId())
        .append(", revision ")
        .append(a.getRevision());
    return b.toString();
  }

  private static String days(Duration d) {
    if (d.toHours() % 24 == 0) {
      long n = d.toDays();
      return n + (n == 1 ? " day" : " days");
    }
    return d.toString();
  }
}
