package dev.webshell.detector.window;

import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.schema.AlertStatus;
import dev.webshell.schema.Evidence;
import dev.webshell.schema.WebShellAlert;
import java.util.ArrayList;
import java.util.List;

/** Turns a device's window content into one alert revision (SPEC section 5). */
public final class AlertBuilder {
  private AlertBuilder() {}

  /** The revision the window's last change emits. */
  public static WebShellAlert build(String deviceId, DeviceWindow w, RuleSpec rule) {
    return build(deviceId, w, rule, w.revision(), AlertStatus.OPEN);
  }

  /**
   * The closing revision: the window has emptied; the final figures of its content as it stood at
   * its last match (so {@code matchCount} counts the repeats that emitted nothing), one revision
   * after the last.
   */
  public static WebShellAlert closing(String deviceId, DeviceWindow w, RuleSpec rule) {
    return build(deviceId, w, rule, w.revision() + 1, AlertStatus.CLOSED);
  }

  private static WebShellAlert build(
      String deviceId, DeviceWindow w, RuleSpec rule, int revision, String status) {
    long windowStart = w.windowStart(rule.lookbackMicros());
    List<DeviceWindow.Line> ordered = w.orderedLines(windowStart);
    List<DeviceWindow.Event> events = w.knownEvents(windowStart);
    DeviceWindow.Event first = events.get(0);
    long firstSeen = Long.MAX_VALUE;
    for (DeviceWindow.Line l : ordered) {
      firstSeen = Math.min(firstSeen, l.firstTs(windowStart));
    }

    int listed = Math.min(ordered.size(), rule.maxCommandLines());
    List<String> commandLines = new ArrayList<>(listed);
    List<Evidence> evidence = new ArrayList<>(listed);
    boolean cut = false;
    for (int i = 0; i < listed; i++) {
      DeviceWindow.Line l = ordered.get(i);
      commandLines.add(l.text);
      cut |= l.cut;
      DeviceWindow.Event e = l.first(windowStart);
      evidence.add(
          Evidence.newBuilder()
              .setTimestamp(Timestamps.toInstant(e.ts))
              .setReportId(e.reportId)
              .setProcessId(e.processId)
              .setFileName(e.fileName)
              .setProcessCommandLine(l.text)
              .setAccountName(e.accountName)
              .setInitiatingProcessFileName(e.initiatingFileName)
              .setInitiatingProcessParentFileName(e.initiatingParentFileName)
              .build());
    }

    String deviceName = first.deviceName;
    if (deviceName == null) {
      List<String> names = w.distinctValues(DeviceWindow.DEVICE_NAME, windowStart);
      deviceName = names.isEmpty() ? null : names.get(0);
    }
    String hostName = deviceName;
    String dnsDomain = null;
    if (deviceName != null) {
      int dot = deviceName.indexOf('.');
      if (dot >= 0) {
        hostName = deviceName.substring(0, dot);
        dnsDomain = deviceName.substring(dot + 1);
      }
    }
    int commandLineCount = ordered.size();
    return WebShellAlert.newBuilder()
        .setAlertId(w.alertId())
        .setRevision(revision)
        .setRuleId(rule.id())
        .setRuleName(rule.name())
        .setRuleVersion(rule.version())
        .setProfile(rule.profile())
        .setSeverity(rule.severity())
        .setTactics(rule.tactics())
        .setTechniques(rule.techniques())
        .setDeviceId(deviceId)
        .setDeviceName(deviceName)
        .setHostName(hostName)
        .setDnsDomain(dnsDomain)
        .setFirstSeen(Timestamps.toInstant(firstSeen))
        .setLastSeen(Timestamps.toInstant(w.windowEnd()))
        .setWindowStart(Timestamps.toInstant(windowStart))
        .setWindowEnd(Timestamps.toInstant(w.windowEnd()))
        .setMatchCount(w.matchCount())
        .setCountsExact(w.countsExact())
        .setFileName(first.fileName)
        .setFileNames(w.distinctValues(DeviceWindow.FILE_NAME, windowStart))
        .setInitiatingProcessFileName(first.initiatingFileName)
        .setInitiatingProcessFileNames(
            w.distinctValues(DeviceWindow.INITIATING_FILE_NAME, windowStart))
        .setInitiatingProcessParentFileName(first.initiatingParentFileName)
        .setInitiatingProcessParentFileNames(
            w.distinctValues(DeviceWindow.INITIATING_PARENT_FILE_NAME, windowStart))
        .setCommandLines(commandLines)
        .setCommandLineCount(commandLineCount)
        .setTruncated(commandLineCount > listed || w.overflowed())
        .setCommandLinesCut(cut)
        .setEvidence(evidence)
        .setAheadOfClock(w.aheadOfClock(windowStart))
        .setStatus(status)
        .build();
  }
}
