package dev.webshell.detector.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.webshell.detector.event.ProcessLineage.KeyKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Reads one Windows process-creation record (SPEC 6.4): Sysmon Event ID 1 or Windows Security 4688,
 * in the shapes collectors write to Kafka, and maps it onto the columns the rule reads.
 *
 * <p>Shapes, all read by one pass over the object that keeps only the fields listed here:
 *
 * <ul>
 *   <li><b>flat</b> (NXLog, Azure Monitor / Sentinel exports, Security-Datasets): the EventData
 *       fields at the top level, or in an {@code EventData} / {@code event_data} object, beside
 *       {@code EventID}, the provider ({@code SourceName}, {@code ProviderName}, {@code Provider},
 *       {@code EventSourceName}, {@code source_name}) and the host ({@code Hostname}, {@code
 *       Computer}, ...). An {@code EventData} that is a string (rendered XML) is ignored: such
 *       exports also carry the fields at the top level.
 *   <li><b>evtx JSON</b> ({@code evtx_dump}): {@code Event.System} and {@code Event.EventData}.
 *   <li><b>Winlogbeat</b>: {@code winlog.event_id}, {@code winlog.provider_name}, {@code
 *       winlog.computer_name}, {@code winlog.event_data}.
 *   <li><b>ECS</b> (Elastic Agent, Winlogbeat's sysmon and security modules, Elastic Defend):
 *       {@code process.*}, {@code process.parent.*}, {@code host.name}, {@code user.*}, {@code
 *       event.category} / {@code event.type} (a string or an array), {@code @timestamp}.
 * </ul>
 *
 * <p>Where one datum can come from several places, the first present wins: event data from {@code
 * winlog.event_data}, then an {@code EventData} object, then the top level; the host from {@code
 * winlog.computer_name}, then the flat names, then {@code host.name}; the event id from {@code
 * winlog.event_id}, then the flat names, then {@code event.code}. Within one object a key given
 * twice keeps its last value.
 */
final class WindowsEventDecoder {
  static final String SYSMON = "Microsoft-Windows-Sysmon";
  static final String SECURITY = "Microsoft-Windows-Security-Auditing";

  /** The EventData fields of Sysmon Event ID 1 and Security 4688 that the mapping reads. */
  private static final Set<String> DATA_FIELDS =
      Set.of(
          "UtcTime",
          "ProcessGuid",
          "ProcessId",
          "Image",
          "CommandLine",
          "User",
          "ParentProcessGuid",
          "ParentProcessId",
          "ParentImage",
          "ParentCommandLine",
          "NewProcessId",
          "NewProcessName",
          "ParentProcessName",
          "SubjectUserName",
          "TargetUserName");

  /**
   * The top-level names whose value is read as a scalar ({@link #keep}). {@code Provider} may also
   * be an object ({@code {"Name": …}}), which only the Jackson reader reads.
   */
  static final Set<String> FLAT_SCALARS =
      Stream.concat(
              Stream.of(
                  "EventID",
                  "EventId",
                  "event_id",
                  "SourceName",
                  "ProviderName",
                  "EventSourceName",
                  "source_name",
                  "Source",
                  "Provider",
                  "Channel",
                  "log_name",
                  "EventLog",
                  "Hostname",
                  "HostName",
                  "Computer",
                  "ComputerName",
                  "computer_name",
                  "@timestamp",
                  "EventRecordID",
                  "RecordNumber",
                  "record_id"),
              DATA_FIELDS.stream())
          .collect(Collectors.toUnmodifiableSet());

  /** The top-level names whose value the reader reads as an object (or, for EventData, XML). */
  static final Set<String> FLAT_OBJECTS =
      Set.of("EventData", "event_data", "Event", "winlog", "process", "host", "user", "event");

  /**
   * Keeps {@code value}, the text of the scalar top-level member {@code name} (one of {@link
   * #FLAT_SCALARS}), where the mapping looks for it; a later copy of a name replaces an earlier
   * one.
   */
  static void keep(Fields f, String name, String value) {
    switch (name) {
      case "EventID", "EventId", "event_id" -> f.eventId = value;
      case "SourceName", "ProviderName", "EventSourceName", "source_name", "Source", "Provider" ->
          f.provider = value;
      case "Channel", "log_name", "EventLog" -> f.channel = value;
      case "Hostname", "HostName", "Computer", "ComputerName", "computer_name" -> f.host = value;
      case "@timestamp" -> f.timestamp = value;
      case "EventRecordID", "RecordNumber", "record_id" -> f.recordId = value;
      default -> f.top.put(name, value);
    }
  }

  /** One record's outcome: a process creation, or the category it is skipped and counted under. */
  record Result(ProcessEvent event, String format, String skipped) {
    static Result skip(String category) {
      return new Result(null, null, category);
    }
  }

  private enum Kind {
    SYSMON_CREATE,
    SECURITY_CREATE,
    ECS_CREATE
  }

  private enum Source {
    FLAT,
    WINLOGBEAT,
    ECS
  }

  private final InputFormat accept;

  private final RecordScreen screen;

  /**
   * @param accept {@link InputFormat#SYSMON}, {@link InputFormat#WINDOWS_SECURITY} or {@link
   *     InputFormat#ECS} to keep only those creations (others are skipped and counted); anything
   *     else keeps every creation
   */
  WindowsEventDecoder(InputFormat accept) {
    this(accept, null);
  }

  /**
   * @param screen asked with a creation's file names ({@link RecordScreen#mayMatterToTheTree});
   *     {@code null} to build every creation whole
   */
  WindowsEventDecoder(InputFormat accept, RecordScreen screen) {
    this.accept = accept;
    this.screen = screen;
  }

  /**
   * The names whose values {@link WindowsFlatScanner} leaves as bytes until {@link Fields#data}
   * asks, every EventData field: a creation the screen sets aside never builds its command lines
   * and account, and no field is copied into a map.
   */
  static final List<String> LAZY = DATA_FIELDS.stream().sorted().toList();

  private static final Map<String, Integer> LAZY_INDEX =
      IntStream.range(0, LAZY.size())
          .boxed()
          .collect(Collectors.toUnmodifiableMap(LAZY::get, i -> i));

  /** Everything one record says that the mapping may need. */
  static final class Fields {
    final Map<String, String> top;
    final Map<String, String> nested;
    final Map<String, String> winlog;
    final Map<String, String> ecs;

    /** EventData as rendered XML (Sentinel's Event table): read only when nothing else holds it. */
    String eventDataXml;

    Map<String, String> xml = Map.of();
    String eventId;
    String winlogEventId;
    String eventCode;
    String provider;
    String winlogProvider;
    String eventProvider;
    String eventModule;
    String channel;
    String winlogChannel;
    String host;
    String winlogHost;
    String ecsHost;
    String timestamp;
    String systemTime;
    String recordId;
    String winlogRecordId;
    String userName;
    List<String> categories;
    List<String> types;

    /** Where the values of {@link #LAZY} lie in {@link #lazySource}: two per name, 0 for none. */
    private final int[] lazySpans;

    /** The values of {@link #LAZY} built so far: the mapping asks for some twice. */
    private final String[] lazyTexts;

    private final JsonCursor lazySource;

    /** For the Jackson reader: every value is kept as text, in its maps. */
    Fields() {
      top = new HashMap<>();
      nested = new HashMap<>();
      winlog = new HashMap<>();
      ecs = new HashMap<>();
      lazySpans = null;
      lazyTexts = null;
      lazySource = null;
    }

    /**
     * For {@link WindowsFlatScanner}: a flat record's EventData fields stay in {@code source}
     * ({@link #keepLazily}), and the maps of the other shapes stay empty.
     */
    Fields(JsonCursor source) {
      top = Map.of();
      nested = Map.of();
      winlog = Map.of();
      ecs = Map.of();
      lazySpans = new int[2 * LAZY.size()];
      lazyTexts = new String[LAZY.size()];
      lazySource = source;
    }

    /**
     * Keeps the top-level value of {@code LAZY.get(index)} in {@code [from, to)} of the source
     * (validated JSON), to be read as {@link JsonCursor#text} when asked; as {@link #keep}, a later
     * copy replaces an earlier one.
     */
    void keepLazily(int index, int from, int to) {
      lazySpans[2 * index] = from;
      lazySpans[2 * index + 1] = to;
    }

    String data(String name) {
      if (lazySpans != null) {
        // a flat record's maps are empty: only the spans and the EventData XML can hold it
        int i = lazyIndex(name);
        if (i < 0) {
          return xml.get(name);
        }
        String v = lazyTexts[i];
        if (v == null) {
          v = lazySource.text(lazySpans[2 * i], lazySpans[2 * i + 1]);
          lazyTexts[i] = v;
        }
        return v == null ? xml.get(name) : v;
      }
      String v = winlog.get(name);
      if (v == null) {
        v = nested.get(name);
      }
      if (v == null) {
        v = top.get(name);
      }
      return v == null ? xml.get(name) : v;
    }

    /** {@code data(name) != null}, without building the text of a flat record's field. */
    boolean has(String name) {
      if (lazySpans != null) {
        int i = lazyIndex(name);
        if (i >= 0 && (lazyTexts[i] != null || lazySource.b[lazySpans[2 * i]] != 'n')) {
          return true; // a value other than null: JsonCursor#text is null for null only
        }
        return xml.get(name) != null;
      }
      return data(name) != null;
    }

    /**
     * {@code WindowsValues.lastPathElement(data(name))}: for a flat record's field, without
     * building the rest of the path.
     */
    String fileName(String name) {
      if (lazySpans != null) {
        int i = lazyIndex(name);
        if (i >= 0 && lazyTexts[i] == null && lazySource.b[lazySpans[2 * i]] != 'n') {
          return lazySource.lastPathElement(lazySpans[2 * i], lazySpans[2 * i + 1]);
        }
      }
      return WindowsValues.lastPathElement(data(name));
    }

    /** The index of {@code name} in {@link #LAZY} when this record holds it, or -1. */
    private int lazyIndex(String name) {
      Integer i = LAZY_INDEX.get(name);
      return i != null && lazySpans[2 * i] != 0 ? i : -1;
    }

    boolean hasRawProcess() {
      return has("Image") || has("NewProcessName") || has("CommandLine") || has("ProcessGuid");
    }
  }

  /**
   * Reads the object whose START_OBJECT was just consumed, up to its END_OBJECT.
   *
   * @throws DecodeException when the record is a creation without host or time, has a field of the
   *     wrong type, or is no Windows or ECS event at all ({@code unknown-format})
   */
  Result read(JsonParser p) throws IOException {
    return read(p, p.nextToken());
  }

  /** As {@link #read(JsonParser)}, from {@code first}, the token after the START_OBJECT. */
  Result read(JsonParser p, JsonToken first) throws IOException {
    Fields f = new Fields();
    JsonToken t;
    for (t = first; t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "Provider" -> f.provider = v == JsonToken.START_OBJECT ? named(p) : scalar(p, v, name);
        case "EventData" -> {
          if (v == JsonToken.VALUE_STRING) {
            f.eventDataXml = p.getText();
          } else {
            readData(p, v, f.nested);
          }
        }
        case "event_data" -> readData(p, v, f.nested);
        case "Event" -> readEvtx(p, v, f);
        case "winlog" -> readWinlog(p, v, f);
        case "process" -> readProcess(p, v, f.ecs, "");
        case "host" -> f.ecsHost = member(p, v, "name");
        case "user" -> f.userName = member(p, v, "name");
        case "event" -> readEcsEvent(p, v, f);
        default -> {
          if (FLAT_SCALARS.contains(name)) {
            keep(f, name, scalar(p, v, name));
          } else {
            p.skipChildren();
          }
        }
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw new DecodeException("invalid-json", "unterminated JSON object");
    }
    return map(f);
  }

  Result map(Fields f) {
    String provider = first(f.winlogProvider, f.provider, f.eventProvider);
    if (provider == null) {
      String channel = first(f.winlogChannel, f.channel);
      if (channel != null) {
        if (channel.regionMatches(true, 0, SYSMON + "/", 0, SYSMON.length() + 1)) {
          provider = SYSMON;
        } else if (channel.equalsIgnoreCase("Security")) {
          provider = SECURITY;
        }
      }
    }
    String idText = first(f.winlogEventId, f.eventId, f.eventCode);
    Integer id = WindowsValues.eventId(idText);
    Kind kind;
    if (SYSMON.equalsIgnoreCase(provider)
        || (provider == null && "sysmon".equalsIgnoreCase(f.eventModule))) {
      if (id == null || id != 1) {
        return Result.skip("sysmon/" + (id != null && id >= 0 && id <= 255 ? id : "other"));
      }
      kind = Kind.SYSMON_CREATE;
    } else if (SECURITY.equalsIgnoreCase(provider)) {
      if (id == null || id != 4688) {
        return Result.skip(
            "windows-security/" + (id != null && id >= 1000 && id <= 9999 ? id : "other"));
      }
      kind = Kind.SECURITY_CREATE;
    } else if (provider != null) {
      return Result.skip("windows/other-provider");
    } else if (f.categories != null || f.types != null) {
      if (!contains(f.categories, "process") || !contains(f.types, "start")) {
        return Result.skip("ecs/not-process-start");
      }
      kind = Kind.ECS_CREATE;
    } else if (idText != null) {
      return Result.skip("windows/no-provider");
    } else {
      throw new DecodeException(
          "unknown-format",
          "neither a Windows event (EventID, provider, winlog) nor an ECS event"
              + " (event.category, process)");
    }
    if (!f.hasRawProcess() && f.ecs.isEmpty() && f.eventDataXml != null) {
      f.xml = EventDataXml.read(f.eventDataXml, DATA_FIELDS);
    }
    Source source =
        f.hasRawProcess()
            ? (f.winlog.isEmpty() ? Source.FLAT : Source.WINLOGBEAT)
            : (!f.ecs.isEmpty()
                ? Source.ECS
                : (f.winlog.isEmpty() ? Source.FLAT : Source.WINLOGBEAT));
    boolean accepted =
        switch (accept) {
          case SYSMON -> kind == Kind.SYSMON_CREATE;
          case WINDOWS_SECURITY -> kind == Kind.SECURITY_CREATE;
          case ECS -> source == Source.ECS;
          default -> true;
        };
    if (!accepted) {
      return Result.skip(
          switch (kind) {
            case SYSMON_CREATE -> "sysmon/1";
            case SECURITY_CREATE -> "windows-security/4688";
            case ECS_CREATE -> "ecs/process-start";
          });
    }
    String what =
        switch (kind) {
          case SYSMON_CREATE -> "Sysmon process creation (event 1)";
          case SECURITY_CREATE -> "Windows Security process creation (event 4688)";
          case ECS_CREATE -> "ECS process start";
        };
    String host = first(f.winlogHost, f.host, f.ecsHost);
    if (host == null || host.isBlank()) {
      throw new DecodeException(
          "missing-field",
          what + " has no host (Hostname, Computer, winlog.computer_name or host.name)");
    }
    String device = WindowsValues.asciiLower(host.trim());
    long micros = time(f, what);
    Long reportId = WindowsValues.optionalLong(first(f.winlogRecordId, f.recordId));
    ProcessEvent e =
        switch (source) {
          case ECS -> fromEcs(f, device, micros, reportId);
          default ->
              kind == Kind.SECURITY_CREATE
                  ? fromSecurity(f, device, micros, reportId)
                  : fromSysmon(f, device, micros, reportId);
        };
    String format =
        switch (source) {
          case ECS -> "ecs";
          case WINLOGBEAT -> "winlogbeat";
          case FLAT -> kind == Kind.SECURITY_CREATE ? "windows-security" : "sysmon";
        };
    return new Result(e, format, null);
  }

  private static long time(Fields f, String what) {
    String utc = f.data("UtcTime");
    if (utc != null && !utc.isBlank()) {
      return WindowsValues.utcTime(utc);
    }
    if (f.timestamp != null && !f.timestamp.isBlank()) {
      return WindowsValues.isoTime(f.timestamp, "@timestamp");
    }
    if (f.systemTime != null && !f.systemTime.isBlank()) {
      return WindowsValues.isoTime(f.systemTime, "Event.System.TimeCreated.SystemTime");
    }
    throw new DecodeException("missing-field", what + " has no time (UtcTime or @timestamp)");
  }

  private ProcessEvent fromSysmon(Fields f, String device, long micros, Long reportId) {
    String guid = f.data("ProcessGuid");
    String parentGuid = f.data("ParentProcessGuid");
    Long pid = WindowsValues.processId(f.data("ProcessId"), "ProcessId");
    String fileName = f.fileName("Image");
    String parentFileName = f.fileName("ParentImage");
    boolean whole = mayMatter(fileName, parentFileName);
    ProcessLineage lineage =
        lineage(whole, guid, parentGuid, pid, f.data("ParentProcessId"), "ParentProcessId");
    if (!whole) {
      return setAside(micros, device, fileName, parentFileName, reportId, pid, lineage);
    }
    String image = f.data("Image");
    String parentImage = f.data("ParentImage");
    return new ProcessEvent(
        micros,
        device,
        device,
        fileName,
        f.data("CommandLine"),
        parentFileName,
        null,
        f.data("ParentCommandLine"),
        parentImage,
        image,
        reportId,
        pid,
        WindowsValues.accountName(f.data("User")),
        null,
        null,
        lineage);
  }

  private ProcessEvent fromSecurity(Fields f, String device, long micros, Long reportId) {
    Long pid = WindowsValues.processId(f.data("NewProcessId"), "NewProcessId");
    Long parentPid = WindowsValues.processId(f.data("ProcessId"), "ProcessId");
    String fileName = f.fileName("NewProcessName");
    String parentFileName = f.fileName("ParentProcessName");
    if (!mayMatter(fileName, parentFileName)) {
      return setAside(
          micros,
          device,
          fileName,
          parentFileName,
          reportId,
          pid,
          ProcessLineage.keyless(KeyKind.PID, pid != null || parentPid != null));
    }
    String image = f.data("NewProcessName");
    String parentImage = f.data("ParentProcessName");
    String target = f.data("TargetUserName");
    String account =
        target != null && !target.isEmpty() && !target.equals("-")
            ? target
            : f.data("SubjectUserName");
    return new ProcessEvent(
        micros,
        device,
        device,
        fileName,
        f.data("CommandLine"),
        parentFileName,
        null,
        null,
        parentImage,
        image,
        reportId,
        pid,
        account,
        null,
        null,
        ProcessLineage.pid(pid, parentPid));
  }

  private ProcessEvent fromEcs(Fields f, String device, long micros, Long reportId) {
    Map<String, String> p = f.ecs;
    String exe = p.get("executable");
    String parentExe = p.get("parent.executable");
    String name = exe != null ? WindowsValues.lastPathElement(exe) : p.get("name");
    String parentName =
        parentExe != null ? WindowsValues.lastPathElement(parentExe) : p.get("parent.name");
    Long pid = WindowsValues.processId(p.get("pid"), "process.pid");
    String entity = p.get("entity_id");
    String parentEntity = p.get("parent.entity_id");
    boolean whole = mayMatter(name, parentName);
    ProcessLineage lineage =
        lineage(whole, entity, parentEntity, pid, p.get("parent.pid"), "process.parent.pid");
    if (!whole) {
      return setAside(micros, device, name, parentName, reportId, pid, lineage);
    }
    return new ProcessEvent(
        micros,
        device,
        device,
        name,
        first(p.get("command_line"), p.get("args")),
        parentName,
        null,
        first(p.get("parent.command_line"), p.get("parent.args")),
        parentExe,
        exe,
        reportId,
        pid,
        f.userName,
        null,
        null,
        lineage);
  }

  /**
   * The lineage by GUIDs when the record gives either, else by process ids: the parent's id is read
   * (and may fail) only then. For a creation set aside ({@code whole} false), {@link
   * ProcessLineage#keyless}.
   */
  private static ProcessLineage lineage(
      boolean whole,
      String guid,
      String parentGuid,
      Long pid,
      String parentPidText,
      String parentPidField) {
    if (guid != null || parentGuid != null) {
      return whole
          ? ProcessLineage.guid(guid, parentGuid)
          : ProcessLineage.keyless(
              KeyKind.GUID, ProcessLineage.namesGuid(guid) || ProcessLineage.namesGuid(parentGuid));
    }
    Long parentPid = WindowsValues.processId(parentPidText, parentPidField);
    return whole
        ? ProcessLineage.pid(pid, parentPid)
        : ProcessLineage.keyless(KeyKind.PID, pid != null || parentPid != null);
  }

  private boolean mayMatter(String fileName, String parentFileName) {
    return screen == null || screen.mayMatterToTheTree(fileName, parentFileName);
  }

  /**
   * A creation that {@link RecordScreen#mayMatterToTheTree} set aside: as the mapping builds it,
   * but without its folder paths, command lines and account, and with {@link
   * ProcessLineage#keyless} lineage.
   */
  private static ProcessEvent setAside(
      long micros,
      String device,
      String fileName,
      String parentFileName,
      Long reportId,
      Long pid,
      ProcessLineage lineage) {
    return new ProcessEvent(
        micros,
        device,
        device,
        fileName,
        null,
        parentFileName,
        null,
        null,
        null,
        null,
        reportId,
        pid,
        null,
        null,
        null,
        lineage);
  }

  // ---- the parts of the record that are objects

  private static void readData(JsonParser p, JsonToken v, Map<String, String> into)
      throws IOException {
    if (v != JsonToken.START_OBJECT) {
      p.skipChildren(); // rendered XML, or null: the fields come from elsewhere
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (DATA_FIELDS.contains(name)) {
        into.put(name, scalar(p, t, name));
      } else {
        p.skipChildren();
      }
    }
  }

  private static void readWinlog(JsonParser p, JsonToken v, Fields f) throws IOException {
    if (v != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "event_id" -> f.winlogEventId = scalar(p, t, "winlog.event_id");
        case "provider_name" -> f.winlogProvider = scalar(p, t, "winlog.provider_name");
        case "computer_name" -> f.winlogHost = scalar(p, t, "winlog.computer_name");
        case "channel" -> f.winlogChannel = scalar(p, t, "winlog.channel");
        case "record_id" -> f.winlogRecordId = scalar(p, t, "winlog.record_id");
        case "event_data" -> readData(p, t, f.winlog);
        default -> p.skipChildren();
      }
    }
  }

  /** evtx_dump's {@code {"Event":{"System":{…},"EventData":{…}}}}. */
  private static void readEvtx(JsonParser p, JsonToken v, Fields f) throws IOException {
    if (v != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "System" -> readSystem(p, t, f);
        case "EventData" -> readData(p, t, f.nested);
        default -> p.skipChildren();
      }
    }
  }

  private static void readSystem(JsonParser p, JsonToken v, Fields f) throws IOException {
    if (v != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "Provider" ->
            f.provider = t == JsonToken.START_OBJECT ? attribute(p, "Name") : scalar(p, t, name);
        case "EventID" ->
            f.eventId = t == JsonToken.START_OBJECT ? member(p, t, "#text") : scalar(p, t, name);
        case "Computer" -> f.host = scalar(p, t, name);
        case "Channel" -> f.channel = scalar(p, t, name);
        case "EventRecordID" -> f.recordId = scalar(p, t, name);
        case "TimeCreated" ->
            f.systemTime =
                t == JsonToken.START_OBJECT ? attribute(p, "SystemTime") : scalar(p, t, name);
        default -> p.skipChildren();
      }
    }
  }

  /** {@code {"#attributes":{"Name":…}}} (evtx_dump) or {@code {"Name":…}}. */
  private static String attribute(JsonParser p, String attribute) throws IOException {
    String value = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (name.equals(attribute)) {
        value = scalar(p, t, attribute);
      } else if (name.equals("#attributes") && t == JsonToken.START_OBJECT) {
        String a = member(p, t, attribute);
        value = a != null ? a : value;
      } else {
        p.skipChildren();
      }
    }
    return value;
  }

  private static void readProcess(
      JsonParser p, JsonToken v, Map<String, String> into, String prefix) throws IOException {
    if (v != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "name", "executable", "command_line", "pid", "entity_id" ->
            into.put(prefix + name, scalar(p, t, "process." + prefix + name));
        case "args" -> into.put(prefix + name, joined(p, t));
        case "parent" -> {
          if (prefix.isEmpty()) {
            readProcess(p, t, into, "parent.");
          } else {
            p.skipChildren();
          }
        }
        default -> p.skipChildren();
      }
    }
  }

  private static void readEcsEvent(JsonParser p, JsonToken v, Fields f) throws IOException {
    if (v != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "category" -> f.categories = strings(p, t);
        case "type" -> f.types = strings(p, t);
        case "code" -> f.eventCode = scalar(p, t, "event.code");
        case "provider" -> f.eventProvider = scalar(p, t, "event.provider");
        case "module" -> f.eventModule = scalar(p, t, "event.module");
        default -> p.skipChildren();
      }
    }
  }

  /** The scalar member {@code member} of an object (null when absent, or not an object). */
  private static String member(JsonParser p, JsonToken v, String member) throws IOException {
    if (v != JsonToken.START_OBJECT) {
      p.skipChildren();
      return null;
    }
    String value = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (name.equals(member)) {
        value = scalar(p, t, member);
      } else {
        p.skipChildren();
      }
    }
    return value;
  }

  /** {@code {"Name":…}}: a provider written as an object. */
  private static String named(JsonParser p) throws IOException {
    return attribute(p, "Name");
  }

  /** A string, or an array of strings (ECS keyword fields may be either). */
  private static List<String> strings(JsonParser p, JsonToken v) throws IOException {
    List<String> out = new ArrayList<>();
    if (v == JsonToken.START_ARRAY) {
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t == JsonToken.VALUE_STRING) {
          out.add(p.getText());
        } else {
          p.skipChildren();
        }
      }
    } else if (v == JsonToken.VALUE_STRING) {
      out.add(p.getText());
    } else {
      p.skipChildren();
    }
    return out;
  }

  /** ECS {@code args}: the arguments joined by single spaces. */
  private static String joined(JsonParser p, JsonToken v) throws IOException {
    if (v == JsonToken.VALUE_NULL) {
      return null;
    }
    if (v != JsonToken.START_ARRAY) {
      return scalar(p, v, "process.args");
    }
    List<String> args = strings(p, v);
    return args.isEmpty() ? null : String.join(" ", args);
  }

  private static String scalar(JsonParser p, JsonToken v, String field) throws IOException {
    return FlatJsonDecoder.text(p, v, field);
  }

  private static boolean contains(List<String> values, String wanted) {
    if (values == null) {
      return false;
    }
    for (String v : values) {
      if (wanted.equals(v)) {
        return true;
      }
    }
    return false;
  }

  @SafeVarargs
  private static <T> T first(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}
