package dev.webshell.detector.event;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A hand-written reader of one flat Defender row (SPEC 6.3) that reads only what the rule's screen
 * needs, for the rows most input carries, and says {@link Outcome#UNSURE} for every other row,
 * which {@link JsonInputDecoder} then reads with Jackson as before.
 *
 * <p>Why it exists: a Defender row holds about sixty long column names and the rule reads six
 * columns; Jackson spends most of its time canonicalising those names and walking tokens
 * (docs/performance.md). This scanner compares names as bytes and skips the values it does not need
 * in one loop.
 *
 * <p>Why it is exact: it accepts only a subset of what Jackson accepts, and answers for a row it
 * accepts what the Jackson path answers. Anything else, whether an error or merely unusual, is
 * {@link Outcome#UNSURE}, so every dead letter is still written by Jackson, with its reason and
 * message. It accepts:
 *
 * <ul>
 *   <li>one object, with JSON's four whitespace characters around tokens, and nothing after it;
 *   <li>names of printable ASCII without escapes (a name that needs decoding is left to Jackson);
 *   <li>string values with valid escapes and strictly valid UTF-8 (no surrogates, no overlong
 *       forms), which Jackson both skips and decodes without complaint;
 *   <li>numbers in JSON's grammar of at most {@value JsonCursor#MAX_NUMBER_LENGTH} characters,
 *       {@code true}, {@code false}, {@code null}, and objects and arrays nested at most {@value
 *       JsonCursor#MAX_DEPTH} deep;
 *   <li>Timestamp, DeviceId, FileName, InitiatingProcessFileName and
 *       InitiatingProcessParentFileName as strings of printable ASCII without escapes, or null;
 *       ReportId and ProcessId as integers of at most 18 digits, or null; the other columns the
 *       decoder reads as any scalar (Jackson reads them as text), never an object or array.
 * </ul>
 *
 * A column given twice keeps its last value, as in {@link FlatJsonDecoder#readFields}. An envelope
 * (first name {@code records}), a row that lacks a DeviceId or Timestamp, or whose Timestamp does
 * not parse is {@link Outcome#UNSURE} too. A record whose first name of one family says Windows
 * (when the format leaves that open; see {@link JsonInputDecoder#decode}) is {@link
 * Outcome#WINDOWS}, for {@link WindowsFlatScanner}.
 *
 * <p>One scanner reads one record: the decoder is shared by the stream threads, so state lives
 * here, per call.
 */
final class FlatRowScanner {
  /** What the scan found. */
  enum Outcome {
    /**
     * The row cannot match: {@link #event()} holds its Timestamp, DeviceId, ReportId and ProcessId.
     */
    SCREENED_OUT,
    /** The row's file names may match: {@link #event()} is the row read whole. */
    MAY_MATCH,
    /**
     * Not read here: its first name of one family ({@link JsonInputDecoder#familyOf}) is Windows',
     * and every byte before it is what {@link JsonCursor} accepts.
     */
    WINDOWS,
    /** Not read here: read it with Jackson. */
    UNSURE
  }

  private static final int OTHER = 0;
  private static final int TIMESTAMP = 1;
  private static final int DEVICE_ID = 2;
  private static final int FILE_NAME = 3;
  private static final int REPORT_ID = 4;
  private static final int PROCESS_ID = 5;
  private static final int INITIATING_FILE_NAME = 6;
  private static final int INITIATING_PARENT_FILE_NAME = 7;

  /**
   * The columns read as any scalar, built only when the row may match: {@code SCALAR + slot}, the
   * slot indexing {@link #spans}.
   */
  private static final int SCALAR = 16;

  private static final int DEVICE_NAME = 0;
  private static final int PROCESS_COMMAND_LINE = 1;
  private static final int INITIATING_COMMAND_LINE = 2;
  private static final int INITIATING_FOLDER_PATH = 3;
  private static final int FOLDER_PATH = 4;
  private static final int ACCOUNT_NAME = 5;
  private static final int MACHINE_GROUP = 6;
  private static final int TENANT_ID = 7;

  /**
   * The columns of the Defender advanced-hunting schema (SPEC 6.3) in its order, which exports
   * keep, then two that some exports add: after a column, the next name is first compared with the
   * one that follows it here, which saves finding where the name ends and looking it up.
   */
  private static final String[] SCHEMA = {
    "Timestamp",
    "DeviceId",
    "DeviceName",
    "ActionType",
    "FileName",
    "FolderPath",
    "SHA1",
    "SHA256",
    "MD5",
    "FileSize",
    "ProcessVersionInfoCompanyName",
    "ProcessVersionInfoProductName",
    "ProcessVersionInfoProductVersion",
    "ProcessVersionInfoInternalFileName",
    "ProcessVersionInfoOriginalFileName",
    "ProcessVersionInfoFileDescription",
    "ProcessId",
    "ProcessCommandLine",
    "ProcessIntegrityLevel",
    "ProcessTokenElevation",
    "ProcessCreationTime",
    "AccountDomain",
    "AccountName",
    "AccountSid",
    "AccountUpn",
    "AccountObjectId",
    "LogonId",
    "InitiatingProcessAccountDomain",
    "InitiatingProcessAccountName",
    "InitiatingProcessAccountSid",
    "InitiatingProcessAccountUpn",
    "InitiatingProcessAccountObjectId",
    "InitiatingProcessLogonId",
    "InitiatingProcessIntegrityLevel",
    "InitiatingProcessTokenElevation",
    "InitiatingProcessSHA1",
    "InitiatingProcessSHA256",
    "InitiatingProcessMD5",
    "InitiatingProcessFileName",
    "InitiatingProcessFileSize",
    "InitiatingProcessVersionInfoCompanyName",
    "InitiatingProcessVersionInfoProductName",
    "InitiatingProcessVersionInfoProductVersion",
    "InitiatingProcessVersionInfoInternalFileName",
    "InitiatingProcessVersionInfoOriginalFileName",
    "InitiatingProcessVersionInfoFileDescription",
    "InitiatingProcessId",
    "InitiatingProcessCommandLine",
    "InitiatingProcessCreationTime",
    "InitiatingProcessFolderPath",
    "InitiatingProcessParentId",
    "InitiatingProcessParentFileName",
    "InitiatingProcessParentCreationTime",
    "InitiatingProcessSignerType",
    "InitiatingProcessSignatureStatus",
    "ReportId",
    "AppGuardContainerId",
    "AdditionalFields",
    "MachineGroup",
    "TenantId"
  };

  /**
   * What this scanner does with each of {@link #SCHEMA}: the columns {@link
   * FlatJsonDecoder#readFields} reads.
   */
  private static final int[] KINDS = Arrays.stream(SCHEMA).mapToInt(FlatRowScanner::kind).toArray();

  /** A first name that makes the record a Streaming API envelope. */
  private static final byte[] RECORDS = JsonCursor.ascii("records");

  /**
   * The family each of {@link #SCHEMA} says as a row's first name ({@link
   * JsonInputDecoder#familyOf}).
   */
  private static final JsonInputDecoder.Family[] FAMILIES =
      Arrays.stream(SCHEMA).map(JsonInputDecoder::familyOf).toArray(JsonInputDecoder.Family[]::new);

  /** The indexes in {@link #SCHEMA} of the columns of each name length. */
  private static final int[][] BY_LENGTH = byLength();

  /**
   * {@link #SCHEMA} with their closing quote, as {@link JsonCursor#words}, for both the expected
   * column and the lookup; null where that is shorter than eight bytes.
   */
  private static final long[][] QUOTED =
      Arrays.stream(SCHEMA)
          .map(n -> n.length() + 1 >= 8 ? JsonCursor.words(JsonCursor.ascii(n + "\"")) : null)
          .toArray(long[][]::new);

  /**
   * The lengths of {@link #SCHEMA}, read for every member of every row: {@code String.length()}
   * there (the string, then its bytes and coder) was 2.5 % of the stream threads' samples in a
   * profile of the bench.
   */
  private static final int[] LENGTHS = Arrays.stream(SCHEMA).mapToInt(String::length).toArray();

  /** {@link #SCHEMA} as bytes. */
  private static final byte[][] ASCII =
      Arrays.stream(SCHEMA).map(JsonCursor::ascii).toArray(byte[][]::new);

  private final JsonCursor c;
  private String timestamp;
  private String deviceId;
  private String fileName;
  private String initiatingFileName;
  private String initiatingParentFileName;
  private Long reportId;
  private Long processId;

  /** Where the last value of each scalar column starts and ends; a start of 0 for none. */
  private final int[] spans = new int[16];

  private ProcessEvent event;

  FlatRowScanner(byte[] json) {
    this(new JsonCursor(json));
  }

  FlatRowScanner(JsonCursor cursor) {
    this.c = cursor;
  }

  /**
   * The event, after {@link Outcome#SCREENED_OUT} (its Timestamp, DeviceId, ReportId and ProcessId
   * only) or {@link Outcome#MAY_MATCH} (whole, as Jackson reads it).
   */
  ProcessEvent event() {
    return event;
  }

  /**
   * @param anyFirstName whether the format says Defender (otherwise the names must, as for the
   *     decoder)
   */
  Outcome scan(RecordScreen screen, boolean anyFirstName) {
    try {
      int p = c.ws(0);
      p = c.expect(p, '{');
      p = c.ws(p);
      boolean first = true;
      boolean defender = false;
      int next = -1; // the column of SCHEMA expected next
      while (true) {
        p = c.expect(p, '"');
        int from = p;
        int column;
        long[] expected = next >= 0 && defender ? QUOTED[next] : null;
        int quoted = expected != null ? LENGTHS[next] + 1 : 0;
        if (expected != null && from + quoted <= c.end && c.sameWords(from, quoted, expected)) {
          // the name and its closing quote are the expected column's: printable ASCII, no escape
          column = next;
          p = from + quoted;
        } else {
          p = c.name(p);
          column = columnOf(from, p - 1);
        }
        int kind = column < 0 ? OTHER : KINDS[column];
        next = column >= 0 && column + 1 < SCHEMA.length ? column + 1 : -1;
        if (!defender) {
          // as the decoder: a first name "records" is an envelope; otherwise the first name of
          // one family tells it, and a row that names none is read as Defender's
          JsonInputDecoder.Family family;
          if (column >= 0) { // a column of SCHEMA, never "records"
            family = anyFirstName ? JsonInputDecoder.Family.DEFENDER : FAMILIES[column];
          } else {
            if (first && p - 1 - from == RECORDS.length && c.sameBytes(from, RECORDS)) {
              throw JsonCursor.UNSURE; // an envelope
            }
            family =
                anyFirstName
                    ? JsonInputDecoder.Family.DEFENDER
                    : JsonInputDecoder.familyOf(c.b, from, p - 1);
          }
          if (family == JsonInputDecoder.Family.WINDOWS) {
            return Outcome.WINDOWS;
          }
          defender = family == JsonInputDecoder.Family.DEFENDER;
          first = false;
        }
        p = c.nextMember(member(kind, c.colon(p)));
        if (p < 0) {
          p = ~p;
          break;
        }
      }
      if (c.ws(p) != c.end || deviceId == null || deviceId.isEmpty() || timestamp == null) {
        throw JsonCursor.UNSURE;
      }
      long micros = Timestamps.parseMicros(timestamp);
      if (screen.mayMatch(fileName, initiatingFileName, initiatingParentFileName)) {
        event =
            new ProcessEvent(
                micros,
                deviceId,
                text(DEVICE_NAME),
                fileName,
                text(PROCESS_COMMAND_LINE),
                initiatingFileName,
                initiatingParentFileName,
                text(INITIATING_COMMAND_LINE),
                text(INITIATING_FOLDER_PATH),
                text(FOLDER_PATH),
                reportId,
                processId,
                text(ACCOUNT_NAME),
                text(MACHINE_GROUP),
                text(TENANT_ID));
        return Outcome.MAY_MATCH;
      }
      event =
          new ProcessEvent(
              micros, deviceId, null, null, null, null, null, null, null, null, reportId, processId,
              null, null, null);
      return Outcome.SCREENED_OUT;
    } catch (JsonCursor.Unsure | DecodeException e) {
      return Outcome.UNSURE;
    }
  }

  /** Reads the value of a top-level member of {@code kind} at {@code p}; the position after it. */
  private int member(int kind, int p) {
    switch (kind) {
      case TIMESTAMP, DEVICE_ID, FILE_NAME, INITIATING_FILE_NAME, INITIATING_PARENT_FILE_NAME -> {
        String s = null;
        if (p < c.end && c.b[p] == '"') {
          int q = c.plainAscii(p + 1);
          s = new String(c.b, p + 1, q - 1 - (p + 1), StandardCharsets.ISO_8859_1);
          p = q;
        } else {
          p = c.literal(p, JsonCursor.NULL);
        }
        switch (kind) {
          case TIMESTAMP -> timestamp = s;
          case DEVICE_ID -> deviceId = s;
          case FILE_NAME -> fileName = s;
          case INITIATING_FILE_NAME -> initiatingFileName = s;
          default -> initiatingParentFileName = s;
        }
        return p;
      }
      case REPORT_ID, PROCESS_ID -> {
        Long v = null;
        if (p < c.end && c.b[p] == 'n') {
          p = c.literal(p, JsonCursor.NULL);
        } else {
          p = c.integer(p);
          v = c.integer;
        }
        if (kind == REPORT_ID) {
          reportId = v;
        } else {
          processId = v;
        }
        return p;
      }
      case OTHER -> {
        return c.value(p, 1);
      }
      default -> {
        if (p < c.end && (c.b[p] == '{' || c.b[p] == '[')) {
          throw JsonCursor.UNSURE; // Jackson's "must be a string" dead letter
        }
        int q = c.value(p, 1);
        int slot = kind - SCALAR;
        spans[2 * slot] = p;
        spans[2 * slot + 1] = q;
        return q;
      }
    }
  }

  /**
   * The text Jackson's {@code getText} gives for the last value of a scalar column: a string's
   * characters, a number or literal as written, {@code null} for null or no value.
   */
  private String text(int slot) {
    int from = spans[2 * slot];
    return from == 0 ? null : c.text(from, spans[2 * slot + 1]);
  }

  /** Which of {@link #SCHEMA} the name in {@code [from, to)} is, or -1. */
  private int columnOf(int from, int to) {
    int n = to - from;
    if (n == 0 || n >= BY_LENGTH.length) {
      return -1;
    }
    for (int i : BY_LENGTH[n]) {
      // the name's closing quote is at to: compared with it, as the expected column is
      if (QUOTED[i] != null ? c.sameWords(from, n + 1, QUOTED[i]) : c.sameBytes(from, ASCII[i])) {
        return i;
      }
    }
    return -1;
  }

  private static int kind(String column) {
    return switch (column) {
      case "Timestamp" -> TIMESTAMP;
      case "DeviceId" -> DEVICE_ID;
      case "FileName" -> FILE_NAME;
      case "ReportId" -> REPORT_ID;
      case "ProcessId" -> PROCESS_ID;
      case "InitiatingProcessFileName" -> INITIATING_FILE_NAME;
      case "InitiatingProcessParentFileName" -> INITIATING_PARENT_FILE_NAME;
      case "DeviceName" -> SCALAR + DEVICE_NAME;
      case "ProcessCommandLine" -> SCALAR + PROCESS_COMMAND_LINE;
      case "InitiatingProcessCommandLine" -> SCALAR + INITIATING_COMMAND_LINE;
      case "InitiatingProcessFolderPath" -> SCALAR + INITIATING_FOLDER_PATH;
      case "FolderPath" -> SCALAR + FOLDER_PATH;
      case "AccountName" -> SCALAR + ACCOUNT_NAME;
      case "MachineGroup" -> SCALAR + MACHINE_GROUP;
      case "TenantId" -> SCALAR + TENANT_ID;
      default -> OTHER;
    };
  }

  private static int[][] byLength() {
    int longest = Arrays.stream(SCHEMA).mapToInt(String::length).max().orElse(0);
    int[][] out = new int[longest + 1][];
    for (int n = 0; n <= longest; n++) {
      int length = n;
      out[n] =
          IntStream.range(0, SCHEMA.length).filter(i -> SCHEMA[i].length() == length).toArray();
    }
    return out;
  }
}
