package dev.webshell.detector.siem;

import dev.webshell.schema.AlertStatus;
import dev.webshell.schema.Evidence;
import dev.webshell.schema.WebShellAlert;
import java.time.Instant;
import java.util.List;

/** Alert revisions built directly, open or closed, for the SIEM and notification tests. */
public final class TestAlerts {
  public static final String ALERT_ID = "6eb01119-4e74-3703-8d62-4a8e2fb0eb8d";
  public static final Instant FIRST = Instant.parse("2026-11-02T22:03:00.123456Z");
  public static final Instant LAST = Instant.parse("2026-11-02T22:09:30Z");

  private TestAlerts() {}

  public static Evidence evidence(Instant ts, Long pid, String cmd, String account) {
    return Evidence.newBuilder()
        .setTimestamp(ts)
        .setReportId(1401L)
        .setProcessId(pid)
        .setFileName("cmd.exe")
        .setProcessCommandLine(cmd)
        .setAccountName(account)
        .setInitiatingProcessFileName("w3wp.exe")
        .setInitiatingProcessParentFileName("svchost.exe")
        .build();
  }

  /** Revision {@code revision} of the seed rule's alert on web-iis-03, status open. */
  public static WebShellAlert.Builder open(int revision) {
    return WebShellAlert.newBuilder()
        .setAlertId(ALERT_ID)
        .setRevision(revision)
        .setRuleId("fa2f7d8a-6726-465a-aa72-6f6e3d4c99d7")
        .setRuleName("Detect suspicious commands initiated by web server processes")
        .setRuleVersion("1.0.0")
        .setProfile("kql")
        .setSeverity("High")
        .setTactics(List.of("Execution", "DefenseEvasion", "Discovery"))
        .setTechniques(List.of("T1059", "T1574", "T1087", "T1082"))
        .setDeviceId("00000000000000000000000000005a17c31d155c")
        .setDeviceName("web-iis-03.telco.example")
        .setHostName("web-iis-03")
        .setDnsDomain("telco.example")
        .setFirstSeen(FIRST)
        .setLastSeen(LAST)
        .setWindowStart(LAST.minus(java.time.Duration.ofDays(7)))
        .setWindowEnd(LAST)
        .setMatchCount(5)
        .setCountsExact(true)
        .setFileName("cmd.exe")
        .setFileNames(List.of("cmd.exe"))
        .setInitiatingProcessFileName("w3wp.exe")
        .setInitiatingProcessFileNames(List.of("w3wp.exe"))
        .setInitiatingProcessParentFileName("svchost.exe")
        .setInitiatingProcessParentFileNames(List.of("svchost.exe"))
        .setCommandLines(List.of("cmd.exe /c whoami", "cmd.exe /c ipconfig /all"))
        .setCommandLineCount(2)
        .setTruncated(false)
        .setCommandLinesCut(false)
        .setEvidence(
            List.of(
                evidence(FIRST, 18228L, "cmd.exe /c whoami", "DefaultAppPool"),
                evidence(LAST, 18301L, "cmd.exe /c ipconfig /all", "DefaultAppPool")))
        .setStatus(AlertStatus.OPEN);
  }

  /** The closing revision after {@code lastOpen}: same figures, status closed. */
  public static WebShellAlert.Builder closed(int lastOpen) {
    return open(lastOpen + 1).setMatchCount(9).setStatus(AlertStatus.CLOSED);
  }
}
