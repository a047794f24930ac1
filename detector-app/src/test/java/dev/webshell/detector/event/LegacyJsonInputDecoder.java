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
 * The JSON decoder as it was before the rule-aware screen (main at ccfc977), kept verbatim but for
 * its name (the value parsing it shares, {@link Timestamps} and {@link WindowsValues}, has its own
 * differential test): the reference of {@link JsonScreenDifferentialTest}.
 *
 * <p>Originally:
 *
 * <p>JSON input: a flat {@code DeviceProcessEvents} row (SPEC 6.3), a Defender Streaming API
 * message {@code {"records":[{"time":…,"tenantId":…,"category":…,"properties":{…}}]}} (SPEC 6.2)
 * whose records of category {@value #CATEGORY} each hold one event in {@code properties}, or a
 * Windows process-creation record: Sysmon, Windows Security 4688 or ECS (SPEC 6.4, {@link
 * LegacyWindowsEventDecoder}).
 *
 * <p>Under {@link InputFormat#JSON} each object's family is told by its first top-level field name
 * that belongs to one family only ({@code DeviceId}, {@code Timestamp}, {@code FileName}, … for
 * Defender; {@code EventID}, {@code winlog}, {@code process}, {@code Computer}, … for Windows); an
 * object with no such name is read as a Defender row, so its dead letter names the missing columns.
 */
final class LegacyJsonInputDecoder {
  static final String CATEGORY = "AdvancedHunting-DeviceProcessEvents";

  private static final Set<String> DEFENDER_NAMES =
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

  private static final Set<String> WINDOWS_NAMES =
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

  private final LegacyFlatJsonDecoder flat = new LegacyFlatJsonDecoder();
  private final InputFormat format;
  private final LegacyWindowsEventDecoder windows;

  /** Any JSON format, detected per record. */
  public LegacyJsonInputDecoder() {
    this(InputFormat.JSON);
  }

  /**
   * @param format {@link InputFormat#DEFENDER}, one of the Windows formats, or anything else for
   *     detection per record
   */
  public LegacyJsonInputDecoder(InputFormat format) {
    this.format = format;
    this.windows = new LegacyWindowsEventDecoder(format);
  }

  public Decoded decode(byte[] json) {
    try (JsonParser p = flat.factory().createParser(json)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new DecodeException(
            "not-an-object",
            first == null
                ? "empty message"
                : "expected a JSON object, found " + LegacyFlatJsonDecoder.describe(first));
      }
      boolean defender = format == InputFormat.DEFENDER || (!format.isWindows() && isDefender(p));
      return defender ? decodeDefender(json) : decodeWindows(json);
    } catch (JsonProcessingException e) {
      throw LegacyFlatJsonDecoder.invalidJson(e);
    } catch (IOException e) {
      throw new DecodeException("invalid-json", "unreadable JSON: " + e.getMessage());
    }
  }

  /** Reads top-level names until one belongs to a single family. */
  private static boolean isDefender(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      if (name.equals("records")
          || DEFENDER_NAMES.contains(name)
          || name.startsWith("InitiatingProcess")
          || name.startsWith("ProcessVersionInfo")) {
        return true;
      }
      if (WINDOWS_NAMES.contains(name)) {
        return false;
      }
      p.nextToken();
      p.skipChildren();
    }
    return true;
  }

  private Decoded decodeWindows(byte[] json) throws IOException {
    try (JsonParser p = flat.factory().createParser(json)) {
      p.nextToken();
      LegacyWindowsEventDecoder.Result r = windows.read(p);
      expectEnd(p);
      return r.event() != null
          ? Decoded.single(r.format(), r.event())
          : new Decoded("windows", List.of(), List.of(), List.of(r.skipped()));
    }
  }

  private Decoded decodeDefender(byte[] json) throws IOException {
    try (JsonParser p = flat.factory().createParser(json)) {
      p.nextToken();
      // An envelope's only member is "records"; anything else is a flat row.
      JsonToken t = p.nextToken();
      if (t == JsonToken.FIELD_NAME && "records".equals(p.currentName())) {
        Decoded d = readEnvelope(p, json);
        expectEnd(p);
        return d;
      }
    }
    try (JsonParser row = flat.factory().createParser(json)) {
      row.nextToken();
      ProcessEvent e = flat.readRow(row);
      expectEnd(row);
      return Decoded.single("json", e);
    }
  }

  private static void expectEnd(JsonParser p) throws IOException {
    if (p.nextToken() != null) {
      throw new DecodeException("invalid-json", "trailing content after the JSON object");
    }
  }

  private Decoded readEnvelope(JsonParser p, byte[] json) throws IOException {
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
                        + LegacyFlatJsonDecoder.describe(t)
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
                          + LegacyFlatJsonDecoder.describe(v)
                          + ", not an object");
            } else {
              try {
                event = flat.readRow(p);
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
    if (tenantId == null || e.tenantId() != null) {
      return e;
    }
    return new ProcessEvent(
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
        e.machineGroup(),
        tenantId);
  }
}
