package dev.webshell.detector.event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The validating byte-level reader under the hand-written JSON scanners ({@link FlatRowScanner},
 * {@link WindowsFlatScanner}): one record's bytes, read by position. Each method reads one piece of
 * JSON at a position and returns the position after it, or throws {@link #UNSURE} where the bytes
 * leave the strict subset of JSON accepted here, which is also accepted by Jackson 2.21 with the
 * detector's settings (see {@link FlatRowScanner}): the caller then reads the record with Jackson.
 */
final class JsonCursor {
  // Limits well inside Jackson's as the detector configures it (nesting 64, names of 50,000
  // characters, numbers of 1,000): what passes here, Jackson would read too.

  /** Deepest nesting accepted, the record itself being 1. */
  static final int MAX_DEPTH = 32;

  static final int MAX_NUMBER_LENGTH = 100;

  static final int MAX_NAME_LENGTH = 1_000;

  static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long ONES = 0x0101010101010101L;

  private static final long HIGH_BITS = 0x8080808080808080L;

  private static final long TWOS = 0x0202020202020202L;

  private static final long QUOTE_OR_BELOW = 0x2121212121212121L;

  private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;

  private static final byte[] TRUE = ascii("true");

  private static final byte[] FALSE = ascii("false");

  static final byte[] NULL = ascii("null");

  /** Thrown, without a stack, where the row leaves what this scanner accepts. */
  static final class Unsure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unsure() {
      super(null, null, false, false);
    }
  }

  static final Unsure UNSURE = new Unsure();

  final byte[] b;
  final int end;

  /** The value of the last {@link #integer}. */
  long integer;

  JsonCursor(byte[] json) {
    this.b = json;
    this.end = json.length;
  }

  /**
   * The characters of a string between {@code from} and {@code to}, which were validated: escapes
   * decoded as Jackson does (a {@code \\u} escape is one UTF-16 unit, paired or not), and the bytes
   * between escapes as UTF-8, which is strictly valid there, so Java's decoder reads them as
   * Jackson's does.
   */
  String chars(int from, int to) {
    // most texts are plain ASCII: the first byte that is not, or a backslash, eight at a time
    int i = Math.min(special(from), to);
    if (i == to) {
      return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }
    boolean ascii = true;
    while (i < to && b[i] != '\\') {
      ascii &= b[i] >= 0;
      i++;
    }
    if (i == to) {
      return new String(
          b, from, to - from, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }
    // Every escape but \\u stands for one ASCII character, so the bytes with those escapes
    // replaced are the UTF-8 of the whole text: one array and one decoding (the backslashes of
    // Windows paths are the common case). A \\u escape is one UTF-16 unit, maybe half a pair,
    // which no byte sequence spells: those texts are built unit by unit.
    byte[] out = new byte[to - from];
    int n = i - from;
    System.arraycopy(b, from, out, 0, n);
    while (i < to) {
      byte c = b[i];
      if (c != '\\') {
        ascii &= c >= 0;
        out[n++] = c;
        i++;
        continue;
      }
      if (b[i + 1] == 'u') {
        return withUnicodeEscapes(from, to);
      }
      out[n++] = (byte) escaped(b[i + 1]);
      i += 2;
    }
    return new String(out, 0, n, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
  }

  /**
   * {@code WindowsValues.lastPathElement(text(from, to))}, building only the characters after the
   * last separator: a {@code /} byte, and the escapes {@code \\\\} and {@code \\/}, spell one in
   * the text. A {@code \\u} escape may spell one too, so the text after the cut is cut again.
   */
  String lastPathElement(int from, int to) {
    if (b[from] != '"') {
      return WindowsValues.lastPathElement(text(from, to));
    }
    int last = to - 1;
    int cut = from + 1;
    int i = cut;
    while (i < last) {
      byte c = b[i];
      if (c == '\\') {
        byte e = b[i + 1];
        i += 2;
        if (e == '\\' || e == '/') {
          cut = i;
        }
      } else {
        i++;
        if (c == '/') {
          cut = i;
        }
      }
    }
    return WindowsValues.lastPathElement(chars(cut, last));
  }

  /** The character a one-character escape stands for: {@code c} is the byte after its backslash. */
  private static char escaped(byte c) {
    return switch (c) {
      case 'b' -> '\b';
      case 't' -> '\t';
      case 'n' -> '\n';
      case 'f' -> '\f';
      case 'r' -> '\r';
      default -> (char) c; // " \\ /
    };
  }

  /** {@link #chars} of a text with a {@code \\u} escape: the runs between escapes, one by one. */
  private String withUnicodeEscapes(int from, int to) {
    StringBuilder out = new StringBuilder(to - from);
    int run = from;
    int i = from;
    while (i < to) {
      if (b[i] != '\\') {
        i++;
        continue;
      }
      out.append(new String(b, run, i - run, StandardCharsets.UTF_8));
      boolean unicode = b[i + 1] == 'u';
      out.append(
          unicode
              ? (char) Integer.parseInt(new String(b, i + 2, 4, StandardCharsets.ISO_8859_1), 16)
              : escaped(b[i + 1]));
      i += unicode ? 6 : 2;
      run = i;
    }
    out.append(new String(b, run, to - run, StandardCharsets.UTF_8));
    return out.toString();
  }

  /**
   * Whether the {@code n} bytes at {@code from} are the column whose {@link #words} are given:
   * every column is at least eight bytes long, so it is compared eight bytes at a time.
   */
  boolean sameWords(int from, int n, long[] words) {
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

  /** {@link #tail(byte[], int, int)} of this input's bytes. */
  long tail(int from, int n) {
    return tail(b, from, n);
  }

  /**
   * The last eight of the {@code n} bytes of {@code a} at {@code from} as {@link #LONGS} reads
   * them; fewer than eight in the low bytes of the word, the rest zero.
   */
  static long tail(byte[] a, int from, int n) {
    if (n >= 8) {
      return (long) LONGS.get(a, from + n - 8);
    }
    long w = 0;
    for (int i = n - 1; i >= 0; i--) {
      w = w << 8 | (a[from + i] & 0xFF);
    }
    return w;
  }

  /**
   * A column's last eight bytes, then its eight-byte words from the start (the last may overlap).
   */
  static long[] words(byte[] column) {
    int n = column.length;
    long[] out = new long[1 + (n - 1) / 8];
    out[0] = (long) LONGS.get(column, n - 8);
    for (int k = 1; k < out.length; k++) {
      out[k] = (long) LONGS.get(column, 8 * (k - 1));
    }
    return out;
  }

  /** Any value at {@code p}, at nesting {@code depth}; the position after it. */
  int value(int p, int depth) {
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

  int object(int p, int depth) {
    if (depth > MAX_DEPTH) {
      throw UNSURE;
    }
    p = ws(p);
    if (p < end && b[p] == '}') {
      return p + 1;
    }
    do {
      p = name(expect(p, '"'));
      p = nextMember(value(colon(p), depth));
    } while (p >= 0);
    return ~p;
  }

  int array(int p, int depth) {
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
  int plainAscii(int p) {
    p = special(p);
    if (p >= end || b[p] != '"') {
      throw UNSURE;
    }
    return p + 1;
  }

  /**
   * A member's name from {@code p}, after the opening quote, as {@link #plainAscii}, and no longer
   * than {@value #MAX_NAME_LENGTH} characters (Jackson refuses names longer than 50,000); the
   * position after the closing quote.
   */
  int name(int p) {
    int after = plainAscii(p);
    if (after - 1 - p > MAX_NAME_LENGTH) {
      throw UNSURE;
    }
    return after;
  }

  /**
   * A string's characters from {@code p}, after its opening quote; the position after its close.
   */
  int string(int p) {
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
   * time, with the bit tricks of "Bit Twiddling Hacks" (haszero, hasless): for an ASCII byte {@code
   * x}, the high bit of {@code (x ^ 0x5C) - 1} is set only when {@code x} is a backslash, and that
   * of {@code (x ^ 0x02) - 0x21} only when {@code x} is a quote or below 0x20 (flipping bit 1 maps
   * the quote to 0x20 and the controls onto themselves: one test for both); a byte of 0x80 or above
   * sets its own high bit in {@code w}, so the usual {@code & ~x} of haszero is not needed. A
   * borrow into the next byte comes only from a byte that is itself special, so the lowest set bit
   * always marks the first one.
   */
  int special(int p) {
    while (p + 8 <= end) {
      long w = (long) LONGS.get(b, p);
      long found = ((w ^ TWOS) - QUOTE_OR_BELOW | (w ^ BACKSLASHES) - ONES | w) & HIGH_BITS;
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
  int escape(int p) {
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
  int utf8(int p) {
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

  int literal(int p, byte[] word) {
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
  int number(int p) {
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
  int digits(int p, boolean integerPart) {
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
  int integer(int p) {
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

  int ws(int p) {
    while (p < end) {
      byte c = b[p];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return p;
      }
      p++;
    }
    return p;
  }

  int expect(int p, char c) {
    if (p >= end || b[p] != c) {
      throw UNSURE;
    }
    return p + 1;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** After a member's name at {@code p}: the position of its value, past the colon. */
  int colon(int p) {
    if (p + 1 < end && b[p] == ':' && b[p + 1] > ' ') {
      return p + 1; // the compact form (whitespace is ' ' or below)
    }
    return ws(expect(ws(p), ':'));
  }

  /**
   * After an object member's value at {@code p}: the start of the next member's name, after the
   * comma and whitespace; or, when the object ends there, {@code ~} the position after its closing
   * brace (a negative number).
   */
  int nextMember(int p) {
    if (p + 1 < end && b[p] == ',' && b[p + 1] == '"') {
      return p + 1; // the compact form most writers use, without a call for whitespace
    }
    p = ws(p);
    if (p < end && b[p] == ',') {
      return ws(p + 1);
    }
    return ~expect(p, '}');
  }

  /** Whether the bytes from {@code from} are {@code ascii} (which fits before {@link #end}). */
  boolean sameBytes(int from, byte[] ascii) {
    for (int i = 0; i < ascii.length; i++) {
      if (b[from + i] != ascii[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The text Jackson's {@code getText} gives for the scalar value in {@code [from, to)}: a string's
   * characters, a number or literal as written, {@code null} for null.
   */
  String text(int from, int to) {
    if (b[from] == 'n') {
      return null;
    }
    if (b[from] != '"') {
      return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }
    return chars(from + 1, to - 1);
  }
}
