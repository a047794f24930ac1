package dev.webshell.detector.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;

/**
 * Reads one {@code DeviceProcessEvents} row from a JSON object (SPEC 6.3: an advanced-hunting
 * export row, or the {@code properties} object of a Streaming API record). Only the columns the
 * detector needs are kept; others are skipped without being materialized. Nesting is bounded, so a
 * hostile document cannot overflow the stack.
 */
public final class FlatJsonDecoder {
  /** Deeper JSON is rejected (reason {@code invalid-json}). */
  public static final int MAX_NESTING_DEPTH = 64;

  /** Longer strings are rejected (reason {@code invalid-json}). */
  static final int MAX_STRING_LENGTH = 16 * 1024 * 1024;

  private final JsonFactory factory;

  public FlatJsonDecoder() {
    this.factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxStringLength(MAX_STRING_LENGTH)
                    .build())
            .build();
  }

  JsonFactory factory() {
    return factory;
  }

  /** Decodes a whole message holding one flat row. */
  public ProcessEvent decode(byte[] json) {
    try (JsonParser p = factory.createParser(json)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new DecodeException(
            "not-an-object",
            first == null ? "empty message" : "expected a JSON object, found " + describe(first));
      }
      ProcessEvent e = readRow(p);
      if (p.nextToken() != null) {
        throw new DecodeException("invalid-json", "trailing content after the JSON object");
      }
      return e;
    } catch (JsonProcessingException e) {
      throw invalidJson(e);
    } catch (IOException e) {
      throw new DecodeException("invalid-json", "unreadable JSON: " + e.getMessage());
    }
  }

  static DecodeException invalidJson(JsonProcessingException e) {
    String msg = e.getOriginalMessage();
    return new DecodeException(
        "invalid-json", "invalid JSON: " + Timestamps.abbreviate(msg == null ? "" : msg, 200));
  }

  static String describe(JsonToken t) {
    return switch (t) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.name();
    };
  }

  /**
   * Reads the fields of an object whose START_OBJECT was just consumed, up to its END_OBJECT.
   *
   * <p>On a bad field it still reads to the end of the object before throwing, so the parser is
   * always left on this object's END_OBJECT.
   *
   * @throws DecodeException when DeviceId or Timestamp is missing or a field has the wrong type
   */
  ProcessEvent readRow(JsonParser p) throws IOException {
    return readFields(p, p.nextToken(), null);
  }

  /**
   * Reads the fields of an object from {@code first}, the token after its START_OBJECT, up to its
   * END_OBJECT. Within the object a key given twice keeps its last value; the first bad field (in
   * the order of the bytes) is the one reported, even if a later duplicate is good.
   *
   * <p>Given a {@code screen}, the row is checked exactly as without one (the same dead letters for
   * the same reasons: every read column's type, every string read to its end, so a malformed one
   * still fails), but only Timestamp, DeviceId, the three file names, ReportId and ProcessId are
   * built. If the screen says the file names may match, the answer is {@code null}: the caller
   * reads the row again without a screen. Otherwise the event holds only those columns, the file
   * names excepted.
   */
  ProcessEvent readFields(JsonParser p, JsonToken first, RecordScreen screen) throws IOException {
    boolean all = screen == null;
    String timestamp = null;
    String deviceId = null;
    String deviceName = null;
    String fileName = null;
    String commandLine = null;
    String initiatingFileName = null;
    String initiatingParentFileName = null;
    String initiatingCommandLine = null;
    String initiatingFolderPath = null;
    String folderPath = null;
    Long reportId = null;
    Long processId = null;
    String accountName = null;
    String machineGroup = null;
    String tenantId = null;
    DecodeException error = null;
    JsonToken t;
    for (t = first; t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      try {
        switch (field) {
          case "Timestamp" -> timestamp = text(p, v, field);
          case "DeviceId" -> deviceId = text(p, v, field);
          case "DeviceName" -> deviceName = text(p, v, field, all);
          case "FileName" -> fileName = text(p, v, field);
          case "ProcessCommandLine" -> commandLine = text(p, v, field, all);
          case "InitiatingProcessFileName" -> initiatingFileName = text(p, v, field);
          case "InitiatingProcessParentFileName" -> initiatingParentFileName = text(p, v, field);
          case "InitiatingProcessCommandLine" -> initiatingCommandLine = text(p, v, field, all);
          case "InitiatingProcessFolderPath" -> initiatingFolderPath = text(p, v, field, all);
          case "FolderPath" -> folderPath = text(p, v, field, all);
          case "ReportId" -> reportId = number(p, v, field);
          case "ProcessId" -> processId = number(p, v, field);
          case "AccountName" -> accountName = text(p, v, field, all);
          case "MachineGroup" -> machineGroup = text(p, v, field, all);
          case "TenantId" -> tenantId = text(p, v, field, all);
          default -> p.skipChildren();
        }
      } catch (DecodeException e) {
        // keep reading to the end of this object, so an envelope can go on with its next record
        error = error == null ? e : error;
        p.skipChildren();
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw new DecodeException("invalid-json", "unterminated JSON object");
    }
    if (error != null) {
      throw error;
    }
    if (deviceId == null || deviceId.isEmpty()) {
      throw new DecodeException("missing-field", "DeviceId is missing or empty");
    }
    if (timestamp == null) {
      throw new DecodeException("missing-field", "Timestamp is missing");
    }
    long micros = Timestamps.parseMicros(timestamp);
    if (!all) {
      if (screen.mayMatch(fileName, initiatingFileName, initiatingParentFileName)) {
        return null;
      }
      fileName = null;
      initiatingFileName = null;
      initiatingParentFileName = null;
    }
    return new ProcessEvent(
        micros,
        deviceId,
        deviceName,
        fileName,
        commandLine,
        initiatingFileName,
        initiatingParentFileName,
        initiatingCommandLine,
        initiatingFolderPath,
        folderPath,
        reportId,
        processId,
        accountName,
        machineGroup,
        tenantId);
  }

  /**
   * {@link #text(JsonParser, JsonToken, String)} when {@code build}; otherwise the same checks (the
   * same exception for the same value) without building the string: {@code null}.
   */
  static String text(JsonParser p, JsonToken v, String field, boolean build) throws IOException {
    if (build) {
      return text(p, v, field);
    }
    switch (v) {
      case VALUE_STRING -> p.getTextLength(); // decoded to its end: malformed text still fails
      case VALUE_NULL, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {}
      default ->
          throw new DecodeException("bad-field", field + " must be a string, found " + describe(v));
    }
    return null;
  }

  /** A scalar as text (numbers and booleans as written); {@code null} for JSON null. */
  static String text(JsonParser p, JsonToken v, String field) throws IOException {
    return switch (v) {
      case VALUE_NULL -> null;
      case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE ->
          p.getText();
      default ->
          throw new DecodeException("bad-field", field + " must be a string, found " + describe(v));
    };
  }

  static Long number(JsonParser p, JsonToken v, String field) throws IOException {
    switch (v) {
      case VALUE_NULL:
        return null;
      case VALUE_NUMBER_INT:
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          throw new DecodeException("bad-field", field + " does not fit a long");
        }
        return p.getLongValue();
      case VALUE_STRING:
        String s = p.getText().trim();
        if (s.isEmpty()) {
          return null;
        }
        try {
          return Long.parseLong(s);
        } catch (NumberFormatException e) {
          throw new DecodeException("bad-field", field + " is not an integer");
        }
      default:
        throw new DecodeException("bad-field", field + " must be an integer, found " + describe(v));
    }
  }
}
