package dev.webshell.detector.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webshell.detector.event.Timestamps;
import java.time.Duration;
import java.time.Instant;

/** A test event: a flat DeviceProcessEvents row, built fluently, written as one JSON line. */
public final class Ev {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant T0 = Instant.parse("2026-11-02T10:00:00Z");

  long micros;
  String deviceId = "dev-1";
  String deviceName = "web01.contoso.com";
  String fileName = "cmd.exe";
  String cmd = "cmd.exe /c whoami";
  String initiating = "w3wp.exe";
  String parent = "svchost.exe";
  String initiatingCmd;
  Long reportId;
  Long processId;
  String account = "iis apppool\\defaultapppool";

  public static Ev at(Duration sinceT0) {
    Ev e = new Ev();
    e.micros = Timestamps.toMicros(T0.plus(sinceT0));
    return e;
  }

  public static Ev atMicros(long micros) {
    Ev e = new Ev();
    e.micros = micros;
    return e;
  }

  public String device() {
    return deviceId;
  }

  public Ev device(String id) {
    deviceId = id;
    return this;
  }

  public Ev name(String n) {
    deviceName = n;
    return this;
  }

  public Ev file(String f) {
    fileName = f;
    return this;
  }

  public Ev cmd(String c) {
    cmd = c;
    return this;
  }

  public Ev initiating(String i) {
    initiating = i;
    return this;
  }

  public Ev parent(String p) {
    parent = p;
    return this;
  }

  /** InitiatingProcessCommandLine; left out of the row while null. */
  public Ev initiatingCmd(String c) {
    initiatingCmd = c;
    return this;
  }

  public Ev report(long r) {
    reportId = r;
    return this;
  }

  public Ev pid(long p) {
    processId = p;
    return this;
  }

  public Ev account(String a) {
    account = a;
    return this;
  }

  public String json() {
    return row(Timestamps.format(micros)).toString();
  }

  /** The row with its Timestamp written as given (a Streaming API record writes seven digits). */
  ObjectNode row(String timestamp) {
    ObjectNode n = JSON.createObjectNode();
    n.put("Timestamp", timestamp);
    n.put("DeviceId", deviceId);
    n.put("DeviceName", deviceName);
    n.put("ActionType", "ProcessCreated");
    n.put("FileName", fileName);
    n.put("ProcessCommandLine", cmd);
    n.put("InitiatingProcessFileName", initiating);
    n.put("InitiatingProcessParentFileName", parent);
    if (initiatingCmd != null) {
      n.put("InitiatingProcessCommandLine", initiatingCmd);
    }
    if (reportId != null) {
      n.put("ReportId", reportId);
    }
    if (processId != null) {
      n.put("ProcessId", processId);
    }
    n.put("AccountName", account);
    n.put("FolderPath", "C:\\Windows\\System32\\" + fileName);
    return n;
  }
}
