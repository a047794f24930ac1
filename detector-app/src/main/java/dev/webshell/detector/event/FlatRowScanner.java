package dev.webshell.detector.event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
 *   <li>numbers in JSON's grammar of at most {@value #MAX_NUMBER_LENGTH} characters, {@code true},
 *       {@code false}, {@code null}, and objects and arrays nested at most {@value #MAX_DEPTH}
 *       deep;
 *   <li>Timestamp, DeviceId, FileName, InitiatingProcessFileName and
 *       InitiatingProcessParentFileName as strings of printable ASCII without escapes, or null;
 *       ReportId and ProcessId as integers of at most 18 digits, or null; the other columns the
 *       decoder reads as any scalar (Jackson reads them as text), never an object or array.
 * </ul>
 *
 * A column given twice keeps its last value, as in {@link FlatJsonDecoder#readFields}. A row whose
 * first name does not say Defender (when the format leaves that open), that lacks a DeviceId or
 * Timestamp, or whose Timestamp does not parse is {@link Outcome#UNSURE} too.
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
    /** Not read here: read it with Jackson. */
    UNSURE
  }

  static final int MAX_DEPTH = 32;
  static final int MAX_NUMBER_LENGTH = 100;

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

  /** The columns {@link FlatJsonDecoder#readFields} reads, and what this scanner does with each. */
  private static final byte[][] COLUMNS = {
    ascii("Timestamp"),
    ascii("DeviceId"),
    ascii("FileName"),
    ascii("ReportId"),
    ascii("ProcessId"),
    ascii("DeviceName"),
    ascii("ProcessCommandLine"),
    ascii("InitiatingProcessFileName"),
    ascii("InitiatingProcessParentFileName"),
    ascii("InitiatingProcessCommandLine"),
    ascii("InitiatingProcessFolderPath"),
    ascii("FolderPath"),
    ascii("AccountName"),
    ascii("MachineGroup"),
    ascii("TenantId")
  };

  private static final int[] KINDS = {
    TIMESTAMP,
    DEVICE_ID,
    FILE_NAME,
    REPORT_ID,
    PROCESS_ID,
    SCALAR + DEVICE_NAME,
    SCALAR + PROCESS_COMMAND_LINE,
    INITIATING_FILE_NAME,
    INITIATING_PARENT_FILE_NAME,
    SCALAR + INITIATING_COMMAND_LINE,
    SCALAR + INITIATING_FOLDER_PATH,
    SCALAR + FOLDER_PATH,
    SCALAR + ACCOUNT_NAME,
    SCALAR + MACHINE_GROUP,
    SCALAR + TENANT_ID
  };

  /** The indexes in {@link #COLUMNS} of the columns of each name length. */
  private static final int[][] BY_LENGTH = byLength();

  private static final byte[] RECORDS = ascii("records");

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** {@link #COLUMNS} as {@link #words}. */
  private static final long[][] WORDS =
      Arrays.stream(COLUMNS).map(FlatRowScanner::words).toArray(long[][]::new);

  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long QUOTES = 0x2222222222222222L;
  private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;
  private static final long SPACES = 0x2020202020202020L;

  /** Thrown, without a stack, where the row leaves what this scanner accepts. */
  private static final class Unsure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unsure() {
      super(null, null, false, false);
    }
  }

  private static final Unsure UNSURE = new Unsure();

  private final byte[] b;
  private final int end;
  private String timestamp;
  private String deviceId;
  private String fileName;
  private String initiatingFileName;
  private String initiatingParentFileName;
  private Long reportId;
  private Long processId;
  private long integer;

  /** Where the last value of each scalar column starts and ends; a start of 0 for none. */
  private final int[] spans = new int[16];

  private ProcessEvent event;

  FlatRowScanner(byte[] json) {
    this.b = json;
    this.end = json.length;
  }

  /**
   * The event, after {@link Outcome#SCREENED_OUT} (its Timestamp, DeviceId, ReportId and ProcessId
   * only) or {@link Outcome#MAY_MATCH} (whole, as Jackson reads it).
   */
  ProcessEvent event() {
    return event;
  }

  /**
   * @param anyFirstName whether the format says Defender (otherwise the first name must: {@link
   *     JsonInputDecoder#isDefenderName})
   */
  Outcome scan(RecordScreen screen, boolean anyFirstName) {
    try {
      int p = ws(0);
      p = expect(p, '{');
      p = ws(p);
      boolean first = true;
      while (true) {
        p = expect(p, '"');
        int from = p;
        p = plainAscii(p);
        int kind = kindOf(from, p - 1);
        if (first) {
          first = false;
          boolean records = p - 1 - from == RECORDS.length && same(from, p - 1, RECORDS);
          if (records
              || !(anyFirstName
                  || JsonInputDecoder.isDefenderName(
                      new String(b, from, p - 1 - from, StandardCharsets.ISO_8859_1)))) {
            throw UNSURE;
          }
        }
        p = expect(ws(p), ':');
        p = ws(p);
        p = member(kind, p);
        p = ws(p);
        if (p < end && b[p] == ',') {
          p = ws(p + 1);
          continue;
        }
        p = expect(p, '}');
        break;
      }
      if (ws(p) != end || deviceId == null || deviceId.isEmpty() || timestamp == null) {
        throw UNSURE;
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
    } catch (Unsure | DecodeException e) {
      return Outcome.UNSURE;
    }
  }

  /** Reads the value of a top-level member of {@code kind} at {@code p}; the position after it. */
  private int member(int kind, int p) {
    switch (kind) {
      case TIMESTAMP, DEVICE_ID, FILE_NAME, INITIATING_FILE_NAME, INITIATING_PARENT_FILE_NAME -> {
        String s = null;
        if (p < end && b[p] == '"') {
          int q = plainAscii(p + 1);
          s = new String(b, p + 1, q - 1 - (p + 1), StandardCharsets.ISO_8859_1);
          p = q;
        } else {
          p = literal(p, NULL);
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
        if (p < end && b[p] == 'n') {
          p = literal(p, NULL);
        } else {
          p = integer(p);
          v = integer;
        }
        if (kind == REPORT_ID) {
          reportId = v;
        } else {
          processId = v;
        }
        return p;
      }
      case OTHER -> {
        return value(p, 1);
      }
      default -> {
        if (p < end && (b[p] == '{' || b[p] == '[')) {
          throw UNSURE; // Jackson's "must be a string" dead letter
        }
        int q = value(p, 1);
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
    int to = spans[2 * slot + 1];
    if (from == 0 || b[from] == 'n') {
      return null;
    }
    if (b[from] != '"') {
      return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }
    return chars(from + 1, to - 1);
  }

  /**
   * The characters of a string between {@code from} and {@code to}, which were validated: escapes
   * decoded as Jackson does (a {@code \\u} escape is one UTF-16 unit, paired or not), and the bytes
   * between escapes as UTF-8, which is strictly valid there, so Java's decoder reads them as
   * Jackson's does.
   */
  private String chars(int from, int to) {
    boolean ascii = true;
    int i = from;
    while (i < to && b[i] != '\\') {
      ascii &= b[i] >= 0;
      i++;
    }
    if (i == to) {
      return new String(
          b, from, to - from, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }
    StringBuilder out = new StringBuilder(to - from);
    int run = from;
    while (i < to) {
      if (b[i] != '\\') {
        i++;
        continue;
      }
      out.append(new String(b, run, i - run, StandardCharsets.UTF_8));
      char c = (char) b[i + 1];
      switch (c) {
        case 'b' -> out.append('\b');
        case 't' -> out.append('\t');
        case 'n' -> out.append('\n');
        case 'f' -> out.append('\f');
        case 'r' -> out.append('\r');
        case 'u' ->
            out.append(
                (char) Integer.parseInt(new String(b, i + 2, 4, StandardCharsets.ISO_8859_1), 16));
        default -> out.append(c); // " \ /
      }
      i += c == 'u' ? 6 : 2;
      run = i;
    }
    out.append(new String(b, run, to - run, StandardCharsets.UTF_8));
    return out.toString();
  }

  /** Which of {@link #COLUMNS} the name in {@code [from, to)} is, or {@link #OTHER}. */
  private int kindOf(int from, int to) {
    int n = to - from;
    if (n == 0 || n >= BY_LENGTH.length) {
      return OTHER;
    }
    for (int i : BY_LENGTH[n]) {
      if (sameWords(from, n, WORDS[i])) {
        return KINDS[i];
      }
    }
    return OTHER;
  }

  /**
   * Whether the {@code n} bytes at {@code from} are the column whose {@link #words} are given:
   * every column is at least eight bytes long, so it is compared eight bytes at a time.
   */
  private boolean sameWords(int from, int n, long[] words) {
    if ((long) LONGS.get(b, from + n - 8) != words[0]) { // the last eight bytes differ most often
      return false;
    }
    for (int k = 1; k < words.length; k++) {
      if ((long) LONGS.get(b, from + 8 * (k - 1)) != words[k]) {
        return false;
      }
    }
    return true;
  }

  /**
   * A column's last eight bytes, then its eight-byte words from the start (the last may overlap).
   */
  private static long[] words(byte[] column) {
    int n = column.length;
    long[] out = new long[1 + (n - 1) / 8];
    out[0] = (long) LONGS.get(column, n - 8);
    for (int k = 1; k < out.length; k++) {
      out[k] = (long) LONGS.get(column, 8 * (k - 1));
    }
    return out;
  }

  private boolean same(int from, int to, byte[] name) {
    return Arrays.equals(b, from, to, name, 0, name.length);
  }

  /** Any value at {@code p}, at nesting {@code depth}; the position after it. */
  private int value(int p, int depth) {
    if (p >= end) {
      throw UNSURE;
    }
    switch (b[p]) {
      case '"':
        return string(p + 1);
      case '{':
        return object(p + 1, depth + 1);
      case '[':
        return array(p + 1, depth + 1);
      case 't':
        return literal(p, TRUE);
      case 'f':
        return literal(p, FALSE);
      case 'n':
        return literal(p, NULL);
      default:
        return number(p);
    }
  }

  private int object(int p, int depth) {
    if (depth > MAX_DEPTH) {
      throw UNSURE;
    }
    p = ws(p);
    if (p < end && b[p] == '}') {
      return p + 1;
    }
    while (true) {
      p = plainAscii(expect(p, '"'));
      p = ws(expect(ws(p), ':'));
      p = ws(value(p, depth));
      if (p < end && b[p] == ',') {
        p = ws(p + 1);
        continue;
      }
      return expect(p, '}');
    }
  }

  private int array(int p, int depth) {
    if (depth > MAX_DEPTH) {
      throw UNSURE;
    }
    p = ws(p);
    if (p < end && b[p] == ']') {
      return p + 1;
    }
    while (true) {
      p = ws(value(p, depth));
      if (p < end && b[p] == ',') {
        p = ws(p + 1);
        continue;
      }
      return expect(p, ']');
    }
  }

  /**
   * The characters of a name, or of a value that is built, from {@code p}, after the opening quote:
   * printable ASCII without escapes, which Jackson reads as these same characters; the position
   * after the closing quote.
   */
  private int plainAscii(int p) {
    p = special(p);
    if (p >= end || b[p] != '"') {
      throw UNSURE;
    }
    return p + 1;
  }

  /**
   * A string's characters from {@code p}, after its opening quote; the position after its close.
   */
  private int string(int p) {
    while ((p = special(p)) < end) {
      int c = b[p];
      if (c == '"') {
        return p + 1;
      }
      if (c == '\\') {
        p = escape(p + 1);
      } else if (c < 0) {
        p = utf8(p);
      } else {
        throw UNSURE; // a control character
      }
    }
    throw UNSURE;
  }

  /**
   * The first byte from {@code p} on that a string cannot hold as it is: a quote, a backslash, a
   * control character or a byte of a multi-byte character; {@link #end} if none.
   *
   * <p>Most of a row's bytes are names and values between such bytes, so they are tested eight at a
   * time, with the bit tricks of "Bit Twiddling Hacks" (haszero, hasless): in {@code x - 0x01…01 &
   * ~x & 0x80…80}, a byte's high bit is set for each zero byte of {@code x}, and a borrow only ever
   * sets more bits above a true one, so the lowest set bit always marks the first such byte.
   */
  private int special(int p) {
    while (p + 8 <= end) {
      long w = (long) LONGS.get(b, p);
      long quote = w ^ QUOTES;
      long backslash = w ^ BACKSLASHES;
      long found =
          ((quote - ONES) & ~quote | (backslash - ONES) & ~backslash | (w - SPACES) & ~w | w)
              & HIGH_BITS;
      if (found != 0) {
        return p + (Long.numberOfTrailingZeros(found) >>> 3);
      }
      p += 8;
    }
    while (p < end) {
      int c = b[p];
      if (c < 0x20 || c == '"' || c == '\\') { // bytes of 0x80 and above are negative
        return p;
      }
      p++;
    }
    return p;
  }

  /** An escape's characters after its backslash; the position after them. */
  private int escape(int p) {
    if (p >= end) {
      throw UNSURE;
    }
    int c = b[p];
    if (c == '\\') { // Windows paths: the most common escape by far
      return p + 1;
    }
    switch (c) {
      case '"', '/', 'b', 'f', 'n', 'r', 't' -> {
        return p + 1;
      }
      case 'u' -> {
        if (p + 4 >= end) {
          throw UNSURE;
        }
        for (int i = 1; i <= 4; i++) {
          int h = b[p + i];
          if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) {
            throw UNSURE;
          }
        }
        return p + 5;
      }
      default -> throw UNSURE;
    }
  }

  /**
   * One strictly valid UTF-8 sequence of two to four bytes at {@code p} (Unicode's table 3-7: no
   * overlong form, no surrogate, nothing above U+10FFFF); the position after it.
   */
  private int utf8(int p) {
    int c = b[p] & 0xff;
    int n;
    int lo = 0x80;
    int hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      lo = c == 0xE0 ? 0xA0 : 0x80;
      hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      lo = c == 0xF0 ? 0x90 : 0x80;
      hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
      throw UNSURE;
    }
    if (p + n >= end) {
      throw UNSURE;
    }
    int second = b[p + 1] & 0xff;
    if (second < lo || second > hi) {
      throw UNSURE;
    }
    for (int i = 2; i <= n; i++) {
      int d = b[p + i] & 0xff;
      if (d < 0x80 || d > 0xBF) {
        throw UNSURE;
      }
    }
    return p + n + 1;
  }

  private static final byte[] TRUE = ascii("true");
  private static final byte[] FALSE = ascii("false");
  private static final byte[] NULL = ascii("null");

  private int literal(int p, byte[] word) {
    int q = p + word.length;
    if (q > end) {
      throw UNSURE;
    }
    for (int i = 0; i < word.length; i++) {
      if (b[p + i] != word[i]) {
        throw UNSURE;
      }
    }
    return q;
  }

  /** A number in JSON's grammar; the position after it. */
  private int number(int p) {
    int start = p;
    if (p < end && b[p] == '-') {
      p++;
    }
    p = digits(p, true);
    if (p < end && b[p] == '.') {
      p = digits(p + 1, false);
    }
    if (p < end && (b[p] == 'e' || b[p] == 'E')) {
      p++;
      if (p < end && (b[p] == '+' || b[p] == '-')) {
        p++;
      }
      p = digits(p, false);
    }
    if (p - start > MAX_NUMBER_LENGTH) {
      throw UNSURE;
    }
    return p;
  }

  /** One or more digits; an integer part has no leading zero. */
  private int digits(int p, boolean integerPart) {
    int start = p;
    while (p < end && b[p] >= '0' && b[p] <= '9') {
      p++;
    }
    if (p == start || (integerPart && b[start] == '0' && p - start > 1)) {
      throw UNSURE;
    }
    return p;
  }

  /**
   * An integer of at most 18 digits (so that it fits a long) with no fraction or exponent, into
   * {@link #integer}; the position after it.
   */
  private int integer(int p) {
    boolean negative = p < end && b[p] == '-';
    int q = negative ? p + 1 : p;
    int after = digits(q, true);
    if (after - q > 18
        || (after < end && (b[after] == '.' || b[after] == 'e' || b[after] == 'E'))) {
      throw UNSURE;
    }
    long v = 0;
    for (int i = q; i < after; i++) {
      v = v * 10 + (b[i] - '0');
    }
    integer = negative ? -v : v;
    return after;
  }

  private int ws(int p) {
    while (p < end) {
      byte c = b[p];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return p;
      }
      p++;
    }
    return p;
  }

  private int expect(int p, char c) {
    if (p >= end || b[p] != c) {
      throw UNSURE;
    }
    return p + 1;
  }

  private static int[][] byLength() {
    int longest = Arrays.stream(COLUMNS).mapToInt(c -> c.length).max().orElse(0);
    int[][] out = new int[longest + 1][];
    for (int n = 0; n <= longest; n++) {
      int length = n;
      out[n] =
          IntStream.range(0, COLUMNS.length).filter(i -> COLUMNS[i].length == length).toArray();
    }
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
