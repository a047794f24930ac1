package dev.webshell.detector.generator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.generator.ProcessTreeTraffic.Kind;
import dev.webshell.detector.generator.ProcessTreeTraffic.Proc;
import dev.webshell.detector.generator.ProcessTreeTraffic.Record;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A {@link Record} as the collectors that ship Windows telemetry to Kafka write it
 * (docs/inputs.md): NXLog's flat Sysmon JSON, Winlogbeat's {@code winlog.*}, the ECS of
 * Winlogbeat's sysmon pipeline and Elastic Agent, and flat Windows Security events (4688 for
 * creations).
 */
public final class WindowsEventJson {
  /** The output shapes of {@code generate}. */
  public enum Shape {
    SYSMON,
    WINLOGBEAT,
    ECS,
    WINDOWS_SECURITY;

    public static Shape parse(String s) {
      return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }

  private static final JsonFactory JSON = new JsonFactory();
  private static final String SYSMON = "Microsoft-Windows-Sysmon";
  private static final String SECURITY = "Microsoft-Windows-Security-Auditing";
  private static final String SYSMON_GUID = "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}";
  private static final DateTimeFormatter UTC_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  /** NXLog's EventTime: the host's local time, here five hours behind UTC, without a zone. */
  private static final DateTimeFormatter LOCAL_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneOffset.ofHours(-5));

  private WindowsEventJson() {}

  public static String toJson(Record r, Shape shape) {
    StringWriter w = new StringWriter(2048);
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      switch (shape) {
        case SYSMON -> nxlog(g, r, false);
        case WINDOWS_SECURITY -> nxlog(g, r, true);
        case WINLOGBEAT -> winlogbeat(g, r);
        case ECS -> ecs(g, r);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  private static int sysmonId(Kind k) {
    return switch (k) {
      case CREATE, EXCHANGE_CMDLET -> 1;
      case NETWORK -> 3;
      case FILE -> 11;
      case TERMINATE -> 5;
    };
  }

  private static int securityId(Kind k) {
    return switch (k) {
      case CREATE -> 4688;
      case NETWORK -> 5156;
      case FILE -> 4663;
      case TERMINATE -> 4689;
      case EXCHANGE_CMDLET -> 1;
    };
  }

  private static String utcTime(long micros) {
    return UTC_TIME.format(Timestamps.toInstant(micros));
  }

  private static Instant instant(long micros) {
    return Timestamps.toInstant(micros);
  }

  private static String[] domainAndName(String user) {
    int cut = user.indexOf('\\');
    return cut < 0
        ? new String[] {null, user}
        : new String[] {user.substring(0, cut), user.substring(cut + 1)};
  }

  // ---- NXLog im_msvistalog (the flat shape)

  private static void nxlog(JsonGenerator g, Record r, boolean security) throws IOException {
    boolean cmdlet = r.kind() == Kind.EXCHANGE_CMDLET;
    g.writeStringField("EventTime", LOCAL_TIME.format(instant(r.utcMicros())));
    g.writeStringField("Hostname", r.host());
    g.writeNumberField("Keywords", cmdlet ? 36028797018963968L : Long.MIN_VALUE);
    g.writeStringField("EventType", "INFO");
    g.writeNumberField("SeverityValue", 2);
    g.writeStringField("Severity", "INFO");
    g.writeNumberField("EventID", security && !cmdlet ? securityId(r.kind()) : sysmonId(r.kind()));
    g.writeStringField(
        "SourceName", cmdlet ? "MSExchange CmdletLogs" : security ? SECURITY : SYSMON);
    if (!cmdlet) {
      g.writeStringField(
          "ProviderGuid", security ? "{54849625-5478-4994-A5BA-3E3B0328C30D}" : SYSMON_GUID);
    }
    g.writeNumberField("RecordNumber", r.recordId());
    g.writeNumberField("ProcessID", security ? 4 : 2816); // the service that logged it
    g.writeNumberField("ThreadID", 3412);
    g.writeStringField(
        "Channel",
        cmdlet ? "MSExchange Management" : security ? "Security" : SYSMON + "/Operational");
    g.writeStringField("Domain", "NT AUTHORITY");
    g.writeStringField("AccountName", "SYSTEM");
    g.writeStringField("UserID", "S-1-5-18");
    g.writeStringField("AccountType", "User");
    if (cmdlet) {
      g.writeStringField(
          "Message", "Cmdlet succeeded. Cmdlet Get-Mailbox, parameters -ResultSize Unlimited.");
    } else if (security) {
      g.writeStringField("@timestamp", Timestamps.format(r.utcMicros())); // added by Logstash
      securityData(g, r);
    } else {
      g.writeStringField("RuleName", "-");
      sysmonData(g, r);
    }
    g.writeStringField("EventReceivedTime", LOCAL_TIME.format(instant(r.utcMicros() + 1_000_000)));
    g.writeStringField("SourceModuleName", "eventlog");
    g.writeStringField("SourceModuleType", "im_msvistalog");
  }

  /** Sysmon's EventData for the record's event id, values as strings (the manifest's order). */
  private static void sysmonData(JsonGenerator g, Record r) throws IOException {
    Proc p = r.process();
    g.writeStringField("UtcTime", utcTime(r.utcMicros()));
    g.writeStringField("ProcessGuid", p.guid());
    g.writeStringField("ProcessId", Long.toString(p.pid()));
    g.writeStringField("Image", p.image());
    switch (r.kind()) {
      case CREATE -> {
        Proc parent = r.parent();
        g.writeStringField("FileVersion", "10.0.17763.1 (WinBuild.160101.0800)");
        g.writeStringField("Description", p.fileName());
        g.writeStringField("Product", "Microsoft® Windows® Operating System");
        g.writeStringField("Company", "Microsoft Corporation");
        g.writeStringField("OriginalFileName", p.fileName());
        g.writeStringField("CommandLine", p.commandLine());
        g.writeStringField("CurrentDirectory", "C:\\Windows\\system32\\");
        g.writeStringField("User", p.user());
        g.writeStringField("LogonGuid", "{5A17C300-0000-0000-E703-000000000000}");
        g.writeStringField("LogonId", "0x3E7");
        g.writeStringField("TerminalSessionId", "0");
        g.writeStringField("IntegrityLevel", "High");
        g.writeStringField(
            "Hashes",
            "SHA1=99AE9C73E9BEE6F9C76D6F4093A9882DF06832CF,MD5=A6177D080759CE4A369C4E0D9F7CF5A8");
        g.writeStringField("ParentProcessGuid", parent.guid());
        g.writeStringField("ParentProcessId", Long.toString(parent.pid()));
        g.writeStringField("ParentImage", parent.image());
        g.writeStringField("ParentCommandLine", parent.commandLine());
        g.writeStringField("ParentUser", parent.user());
      }
      case NETWORK -> {
        g.writeStringField("User", p.user());
        g.writeStringField("Protocol", "tcp");
        g.writeStringField("Initiated", "true");
        g.writeStringField("SourceIp", "10.0.0.5");
        g.writeStringField("SourcePort", "49712");
        g.writeStringField("DestinationIp", "203.0.113.7");
        g.writeStringField("DestinationPort", "443");
      }
      case FILE -> {
        g.writeStringField("TargetFilename", "C:\\Windows\\Temp\\tmp" + r.recordId() + ".tmp");
        g.writeStringField("CreationUtcTime", utcTime(r.utcMicros()));
        g.writeStringField("User", p.user());
      }
      default -> g.writeStringField("User", p.user());
    }
  }

  /** Security's EventData: 4688 version 2 for a creation, hexadecimal process ids. */
  private static void securityData(JsonGenerator g, Record r) throws IOException {
    Proc p = r.process();
    String[] user = domainAndName(p.user());
    g.writeStringField("SubjectUserSid", "S-1-5-18");
    g.writeStringField("SubjectUserName", user[1]);
    g.writeStringField("SubjectDomainName", user[0] == null ? "-" : user[0]);
    g.writeStringField("SubjectLogonId", "0x3e7");
    switch (r.kind()) {
      case CREATE -> {
        g.writeStringField("NewProcessId", "0x" + Long.toHexString(p.pid()));
        g.writeStringField("NewProcessName", p.image());
        g.writeStringField("TokenElevationType", "%%1936");
        g.writeStringField("ProcessId", "0x" + Long.toHexString(r.parent().pid()));
        g.writeStringField("CommandLine", p.commandLine());
        g.writeStringField("TargetUserSid", "S-1-0-0");
        g.writeStringField("TargetUserName", "-");
        g.writeStringField("TargetDomainName", "-");
        g.writeStringField("TargetLogonId", "0x0");
        g.writeStringField("ParentProcessName", r.parent().image());
        g.writeStringField("MandatoryLabel", "S-1-16-16384");
      }
      default -> {
        g.writeStringField("ProcessId", "0x" + Long.toHexString(p.pid()));
        g.writeStringField("ProcessName", p.image());
      }
    }
  }

  // ---- Winlogbeat without modules

  private static void winlogbeat(JsonGenerator g, Record r) throws IOException {
    boolean cmdlet = r.kind() == Kind.EXCHANGE_CMDLET;
    g.writeStringField("@timestamp", Timestamps.format(r.utcMicros()));
    g.writeObjectFieldStart("event");
    g.writeStringField("code", Integer.toString(sysmonId(r.kind())));
    g.writeStringField("kind", "event");
    g.writeStringField("provider", cmdlet ? "MSExchange CmdletLogs" : SYSMON);
    g.writeStringField("created", Timestamps.format(r.utcMicros() + 2_000_000));
    g.writeEndObject();
    g.writeObjectFieldStart("host");
    g.writeStringField("name", shortName(r.host()));
    g.writeEndObject();
    agent(g);
    g.writeObjectFieldStart("log");
    g.writeStringField("level", "information");
    g.writeEndObject();
    g.writeObjectFieldStart("winlog");
    g.writeStringField("api", "wineventlog");
    g.writeStringField("channel", cmdlet ? "MSExchange Management" : SYSMON + "/Operational");
    g.writeStringField("computer_name", r.host());
    g.writeObjectFieldStart("event_data");
    if (cmdlet) {
      g.writeStringField("param1", "Get-Mailbox");
    } else {
      g.writeStringField("RuleName", "-");
      sysmonData(g, r);
    }
    g.writeEndObject();
    g.writeStringField("event_id", Integer.toString(sysmonId(r.kind())));
    g.writeObjectFieldStart("process");
    g.writeNumberField("pid", 2816);
    g.writeObjectFieldStart("thread");
    g.writeNumberField("id", 3412);
    g.writeEndObject();
    g.writeEndObject();
    g.writeStringField("provider_name", cmdlet ? "MSExchange CmdletLogs" : SYSMON);
    g.writeNumberField("record_id", r.recordId());
    g.writeObjectFieldStart("user");
    g.writeStringField("domain", "NT AUTHORITY");
    g.writeStringField("identifier", "S-1-5-18");
    g.writeStringField("name", "SYSTEM");
    g.writeEndObject();
    g.writeNumberField("version", 5);
    g.writeEndObject();
  }

  private static void agent(JsonGenerator g) throws IOException {
    g.writeObjectFieldStart("agent");
    g.writeStringField("type", "winlogbeat");
    g.writeStringField("version", "8.11.1");
    g.writeEndObject();
    g.writeObjectFieldStart("ecs");
    g.writeStringField("version", "8.0.0");
    g.writeEndObject();
  }

  private static String shortName(String host) {
    int dot = host.indexOf('.');
    return (dot < 0 ? host : host.substring(0, dot)).toLowerCase(Locale.ROOT);
  }

  // ---- ECS, as Winlogbeat's sysmon pipeline leaves it

  private static void ecs(JsonGenerator g, Record r) throws IOException {
    Proc p = r.process();
    boolean cmdlet = r.kind() == Kind.EXCHANGE_CMDLET;
    g.writeStringField("@timestamp", Instant.ofEpochMilli(r.utcMicros() / 1000).toString());
    g.writeObjectFieldStart("event");
    g.writeArrayFieldStart("category");
    g.writeString(
        switch (r.kind()) {
          case CREATE, TERMINATE -> "process";
          case NETWORK -> "network";
          case FILE -> "file";
          case EXCHANGE_CMDLET -> "configuration";
        });
    g.writeEndArray();
    g.writeArrayFieldStart("type");
    switch (r.kind()) {
      case CREATE -> {
        g.writeString("start");
        g.writeString("process_start");
      }
      case TERMINATE -> g.writeString("end");
      case NETWORK -> g.writeString("connection");
      default -> g.writeString("creation");
    }
    g.writeEndArray();
    g.writeNumberField("code", sysmonId(r.kind()));
    g.writeStringField("kind", "event");
    g.writeStringField("module", cmdlet ? "exchange" : "sysmon");
    g.writeStringField("provider", cmdlet ? "MSExchange CmdletLogs" : SYSMON);
    g.writeStringField("ingested", Timestamps.format(r.utcMicros() + 3_000_000));
    g.writeEndObject();
    g.writeObjectFieldStart("host");
    g.writeStringField("name", r.host().toLowerCase(Locale.ROOT));
    g.writeStringField("hostname", shortName(r.host()));
    g.writeObjectFieldStart("os");
    g.writeStringField("family", "windows");
    g.writeEndObject();
    g.writeEndObject();
    agent(g);
    g.writeObjectFieldStart("process");
    g.writeStringField("entity_id", p.guid());
    g.writeStringField("executable", p.image());
    g.writeStringField("name", p.fileName());
    g.writeNumberField("pid", p.pid());
    if (r.kind() == Kind.CREATE) {
      Proc parent = r.parent();
      g.writeStringField("command_line", p.commandLine());
      g.writeArrayFieldStart("args");
      for (String a : p.commandLine().split(" ")) {
        g.writeString(a);
      }
      g.writeEndArray();
      g.writeStringField("working_directory", "C:\\Windows\\system32\\");
      g.writeObjectFieldStart("parent");
      g.writeStringField("entity_id", parent.guid());
      g.writeStringField("executable", parent.image());
      g.writeStringField("name", parent.fileName());
      g.writeNumberField("pid", parent.pid());
      g.writeStringField("command_line", parent.commandLine());
      g.writeEndObject();
      g.writeObjectFieldStart("pe");
      g.writeStringField("original_file_name", p.fileName());
      g.writeEndObject();
    }
    g.writeEndObject();
    String[] user = domainAndName(p.user());
    g.writeObjectFieldStart("user");
    if (user[0] != null) {
      g.writeStringField("domain", user[0]);
    }
    g.writeStringField("name", user[1]);
    g.writeEndObject();
    g.writeObjectFieldStart("winlog");
    g.writeStringField("channel", cmdlet ? "MSExchange Management" : SYSMON + "/Operational");
    g.writeStringField("computer_name", r.host());
    g.writeObjectFieldStart("event_data");
    g.writeStringField("IntegrityLevel", "High");
    g.writeStringField("RuleName", "-");
    g.writeEndObject();
    g.writeNumberField("event_id", sysmonId(r.kind()));
    g.writeStringField("provider_name", cmdlet ? "MSExchange CmdletLogs" : SYSMON);
    g.writeNumberField("record_id", r.recordId());
    g.writeEndObject();
  }
}
