package dev.webshell.detector.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * JSON input: a flat {@code DeviceProcessEvents} row (SPEC 6.3), a Defender Streaming API message
 * {@code {"records":[{"time":…,"tenantId":…,"category":…,"properties":{…}}]}} (SPEC 6.2) whose
 * records of category {@value #CATEGORY} each hold one event in {@code properties}, or a Windows
 * process-creation record: Sysmon, Windows Security 4688 or ECS (SPEC 6.4, {@link
 * WindowsEventDecoder}).
 *
 * <p>Under {@link InputFormat#JSON} each object's family is told by its first top-level field name
 * that belongs to one family only ({@code DeviceId}, {@code Timestamp}, {@code FileName}, … for
 * Defender; {@code EventID}, {@code winlog}, {@code process}, {@code Computer}, … for Windows); an
 * object with no such name is read as a Defender row, so its dead letter names the missing columns.
 */
public final class JsonInputDecoder {
  public static final String CATEGORY = "AdvancedHunting-DeviceProcessEvents";

  static final Set<String> DEFENDER_NAMES =
      Set.of(
          "DeviceId",
          "DeviceName",
          "Timestamp",
          "ActionType",
          "FileName",
          "FolderPath",
          "ProcessCommandLine",
          "ProcessCreationTime",
          "ProcessIntegrityLevel",
          "ProcessTokenElevation",
          "ReportId",
          "MachineGroup",
          "SHA1",
          "SHA256",
          "MD5",
          "AccountSid",
          "AccountUpn",
          "AccountObjectId",
          "AppGuardContainerId",
          "AdditionalFields");

  /** Defender's column families: every name that starts so says Defender. */
  private static final List<String> DEFENDER_PREFIXES =
      List.of("InitiatingProcess", "ProcessVersionInfo");

  static final Set<String> WINDOWS_NAMES =
      Set.of(
          "EventID",
          "EventId",
          "event_id",
          "SourceName",
          "ProviderName",
          "Provider",
          "EventSourceName",
          "source_name",
          "EventLog",
          "Channel",
          "log_name",
          "Hostname",
          "HostName",
          "Computer",
          "ComputerName",
          "computer_name",
          "UtcTime",
          "ProcessGuid",
          "Image",
          "ParentImage",
          "CommandLine",
          "NewProcessName",
          "NewProcessId",
          "ParentProcessName",
          "EventData",
          "event_data",
          "Event",
          "winlog",
          "process",
          "event");

  /**
   * Longer records are read without the screen: every string in a shorter one is shorter than
   * Jackson's string limit, so building it or not cannot change whether the record is readable (the
   * scanners keep names far below Jackson's name limit themselves).
   */
  private static final int SCREENED_UP_TO = FlatJsonDecoder.MAX_STRING_LENGTH;

  private final FlatJsonDecoder flat = new FlatJsonDecoder();
  private final InputFormat format;
  private final WindowsEventDecoder windows;
  private final RecordScreen screen;

  /** Any JSON format, detected per record. */
  public JsonInputDecoder() {
    this(InputFormat.JSON);
  }

  /**
   * @param format {@link InputFormat#DEFENDER}, one of the Windows formats, or anything else for
   *     detection per record
   */
  public JsonInputDecoder(InputFormat format) {
    this(format, null);
  }

  /**
   * @param screen the rule's tests on an event's file names ({@link RecordScreen}), asked before
   *     its other strings are built; {@code null} to build every event whole
   */
  public JsonInputDecoder(InputFormat format, RecordScreen screen) {
    this.format = format;
    this.windows = new WindowsEventDecoder(format, screen);
    this.screen = screen;
  }

  /**
   * One message: its events, in order. With a {@link RecordScreen}, a Defender event that cannot
   * match holds only its Timestamp, DeviceId, ReportId and ProcessId; whether a message decodes,
   * its failures, skipped categories and every event that can match are the same as without one. A
   * Windows creation whose file names say it cannot take part in a match ({@link
   * RecordScreen#mayMatterToTheTree}) holds no folder paths, command lines, account or lineage
   * keys, and its lineage is null exactly where the whole one would be; everything else is as
   * without a screen. It is decided in the one reading of the record, after the names: reading a
   * record again when it mattered cost more than it saved (docs/performance.md).
   *
   * <p>With a screen, a record is first given to {@link FlatRowScanner} (flat Defender rows) and
   * then to {@link WindowsFlatScanner} (flat Windows records), which read the common records
   * without Jackson; whatever they are unsure of is read below as if they had not tried.
   */
  public Decoded decode(byte[] json) {
    RecordScreen s = json.length <= SCREENED_UP_TO ? screen : null;
    JsonCursor cursor = s == null ? null : new JsonCursor(json);
    boolean windowsNames = format.isWindows();
    if (s != null && !format.isWindows()) {
      FlatRowScanner row = new FlatRowScanner(cursor);
      FlatRowScanner.Outcome outcome = row.scan(s, format == InputFormat.DEFENDER);
      if (outcome == FlatRowScanner.Outcome.WINDOWS) {
        windowsNames = true; // the names said so: the Windows scanner need not ask them again
      } else if (outcome != FlatRowScanner.Outcome.UNSURE) {
        return Decoded.single("json", row.event());
      }
    }
    if (s != null && format != InputFormat.DEFENDER) {
      WindowsEventDecoder.Result r = new WindowsFlatScanner(cursor).scan(windows, windowsNames);
      if (r != null) {
        return decoded(r);
      }
    }
    try (JsonParser p = flat.factory().createParser(json)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new DecodeException(
            "not-an-object",
            first == null
                ? "empty message"
                : "expected a JSON object, found " + FlatJsonDecoder.describe(first));
      }
      if (format.isWindows()) {
        return readWindows(p, p.nextToken());
      }
      // most records say their family by their first name: read on with the same parser
      JsonToken t = p.nextToken();
      String name = t == JsonToken.FIELD_NAME ? p.currentName() : null;
      if (name != null && name.equals("records")) {
        return readEnvelope(p, json, s);
      }
      Family family = name == null ? Family.NONE : familyOf(name);
      if (format == InputFormat.DEFENDER || name == null || family == Family.DEFENDER) {
        return readRow(p, t, json, s);
      }
      if (family == Family.WINDOWS) {
        return readWindows(p, t);
      }
      p.nextToken();
      p.skipChildren();
      return isDefender(p) ? decodeDefender(json, s) : decodeWindows(json);
    } catch (JsonProcessingException e) {
      throw FlatJsonDecoder.invalidJson(e);
    } catch (IOException e) {
      throw new DecodeException("invalid-json", "unreadable JSON: " + e.getMessage());
    }
  }

  /** The input family a top-level name says; a record's is said by the first name that says one. */
  enum Family {
    DEFENDER,
    WINDOWS,
    NONE
  }

  /**
   * The family {@code name} says. {@code records} says Defender here: as a record's first name it
   * says envelope, which callers check before.
   */
  static Family familyOf(String name) {
    if (name.equals("records") || DEFENDER_NAMES.contains(name)) {
      return Family.DEFENDER;
    }
    for (String prefix : DEFENDER_PREFIXES) {
      if (name.startsWith(prefix)) {
        return Family.DEFENDER;
      }
    }
    return WINDOWS_NAMES.contains(name) ? Family.WINDOWS : Family.NONE;
  }

  /** A name {@link #familyOf(String)} knows by itself, as ASCII, and the family it gives it. */
  private record Named(byte[] ascii, Family family) {}

  /** Every {@link Named}, by the length of its name. */
  private static final Named[][] NAMES_BY_LENGTH = namesByLength();

  /** {@link #DEFENDER_PREFIXES} as ASCII. */
  private static final byte[][] DEFENDER_PREFIXES_ASCII =
      DEFENDER_PREFIXES.stream().map(JsonCursor::ascii).toArray(byte[][]::new);

  /**
   * {@link #familyOf(String)} of the name in {@code b[from, to)}, printable ASCII without escapes
   * (as the scanners read names), without building it: most records' first names are looked up for
   * their family, and their strings were built for nothing else.
   */
  static Family familyOf(byte[] b, int from, int to) {
    int n = to - from;
    if (n < NAMES_BY_LENGTH.length) {
      for (Named name : NAMES_BY_LENGTH[n]) {
        if (Arrays.equals(b, from, to, name.ascii(), 0, n)) {
          return name.family();
        }
      }
    }
    for (byte[] prefix : DEFENDER_PREFIXES_ASCII) {
      if (n >= prefix.length
          && Arrays.equals(b, from, from + prefix.length, prefix, 0, prefix.length)) {
        return Family.DEFENDER;
      }
    }
    return Family.NONE;
  }

  private static Named[][] namesByLength() {
    List<String> all = new ArrayList<>(DEFENDER_NAMES);
    all.addAll(WINDOWS_NAMES);
    all.add("records");
    int longest = all.stream().mapToInt(String::length).max().orElse(0);
    Named[][] out = new Named[longest + 1][];
    for (int n = 0; n <= longest; n++) {
      int length = n;
      out[n] =
          all.stream()
              .filter(name -> name.length() == length)
              .map(name -> new Named(JsonCursor.ascii(name), familyOf(name)))
              .toArray(Named[]::new);
    }
    return out;
  }

  /** Reads top-level names until one belongs to a single family. */
  private static boolean isDefender(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      Family family = familyOf(p.currentName());
      if (family != Family.NONE) {
        return family == Family.DEFENDER;
      }
      p.nextToken();
      p.skipChildren();
    }
    return true;
  }

  private Decoded decodeWindows(byte[] json) throws IOException {
    try (JsonParser p = flat.factory().createParser(json)) {
      p.nextToken();
      return readWindows(p, p.nextToken());
    }
  }

  /** A Windows record from {@code first}, the token after its START_OBJECT, to the end. */
  private Decoded readWindows(JsonParser p, JsonToken first) throws IOException {
    WindowsEventDecoder.Result r = windows.read(p, first);
    expectEnd(p);
    return decoded(r);
  }

  private static Decoded decoded(WindowsEventDecoder.Result r) {
    if (r.event() == null) {
      return new Decoded("windows", List.of(), List.of(), List.of(r.skipped()));
    }
    return Decoded.single(r.format(), r.event());
  }

  private Decoded decodeDefender(byte[] json, RecordScreen s) throws IOException {
    try (JsonParser p = flat.factory().createParser(json)) {
      p.nextToken();
      // An envelope's only member is "records"; anything else is a flat row.
      JsonToken t = p.nextToken();
      if (t == JsonToken.FIELD_NAME && "records".equals(p.currentName())) {
        return readEnvelope(p, json, s);
      }
      return readRow(p, t, json, s);
    }
  }

  /** A flat row from {@code first}, the token after its START_OBJECT, to the end. */
  private Decoded readRow(JsonParser p, JsonToken first, byte[] json, RecordScreen s)
      throws IOException {
    ProcessEvent e = flat.readFields(p, first, s);
    expectEnd(p);
    if (e == null) { // it may match: read it whole
      try (JsonParser row = flat.factory().createParser(json)) {
        row.nextToken();
        e = flat.readRow(row);
      }
    }
    return Decoded.single("json", e);
  }

  private static void expectEnd(JsonParser p) throws IOException {
    if (p.nextToken() != null) {
      throw new DecodeException("invalid-json", "trailing content after the JSON object");
    }
  }

  /** An envelope from its "records" name to the end. */
  private Decoded readEnvelope(JsonParser p, byte[] json, RecordScreen s) throws IOException {
    Decoded d = readRecords(p, json, s);
    expectEnd(p);
    return d;
  }

  private Decoded readRecords(JsonParser p, byte[] json, RecordScreen s) throws IOException {
    if (p.nextToken() != JsonToken.START_ARRAY) {
      throw new DecodeException("bad-envelope", "'records' must be an array");
    }
    List<ProcessEvent> events = new ArrayList<>();
    List<Decoded.Failure> failures = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    int index = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw new DecodeException("invalid-json", "unterminated 'records' array");
      }
      int start = (int) p.currentTokenLocation().getByteOffset();
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        int end = (int) p.currentLocation().getByteOffset();
        failures.add(
            new Decoded.Failure(
                index,
                Arrays.copyOfRange(json, start, end),
                new DecodeException(
                    "bad-envelope",
                    "records["
                        + index
                        + "] is "
                        + FlatJsonDecoder.describe(t)
                        + ", not an object")));
        index++;
        continue;
      }
      String category = null;
      String tenantId = null;
      ProcessEvent event = null;
      DecodeException error = null;
      boolean hasProperties = false;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        switch (field) {
          case "category" -> category = v == JsonToken.VALUE_STRING ? p.getText() : null;
          case "tenantId" -> tenantId = v == JsonToken.VALUE_STRING ? p.getText() : null;
          case "properties" -> {
            hasProperties = true;
            if (v != JsonToken.START_OBJECT) {
              p.skipChildren();
              error =
                  new DecodeException(
                      "bad-envelope",
                      "records["
                          + index
                          + "].properties is "
                          + FlatJsonDecoder.describe(v)
                          + ", not an object");
            } else {
              int from = (int) p.currentTokenLocation().getByteOffset();
              try {
                event = flat.readFields(p, p.nextToken(), s);
                if (s != null && event == null) { // it may match: read its properties whole
                  int to = (int) p.currentLocation().getByteOffset();
                  try (JsonParser properties = flat.factory().createParser(json, from, to - from)) {
                    properties.nextToken();
                    event = flat.readRow(properties);
                  }
                }
              } catch (DecodeException e) {
                error = e;
              }
            }
          }
          default -> p.skipChildren();
        }
      }
      int end = (int) p.currentLocation().getByteOffset();
      if (category != null && !CATEGORY.equals(category)) {
        skipped.add(category);
      } else if (error != null || !hasProperties || category == null) {
        DecodeException why =
            error != null
                ? error
                : new DecodeException(
                    "bad-envelope",
                    "records["
                        + index
                        + "] has no "
                        + (hasProperties ? "category" : "properties object"));
        failures.add(new Decoded.Failure(index, Arrays.copyOfRange(json, start, end), why));
      } else {
        events.add(withTenant(event, tenantId));
      }
      index++;
    }
    if (p.nextToken() != JsonToken.END_OBJECT) {
      throw new DecodeException("bad-envelope", "an envelope holds only 'records'");
    }
    return new Decoded("envelope", events, failures, skipped);
  }

  private static ProcessEvent withTenant(ProcessEvent e, String tenantId) {
    return tenantId == null || e.tenantId() != null ? e : e.withTenantId(tenantId);
  }
}
