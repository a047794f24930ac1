package dev.webshell.detector.event;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * A hand-written reader of a flat Windows record (NXLog's Sysmon and 4688 JSON, and exports like
 * it: every field at the top level), for {@link JsonInputDecoder}: it reads the top-level members
 * that {@link WindowsEventDecoder} keeps into the same {@link WindowsEventDecoder.Fields} and maps
 * them with the same {@link WindowsEventDecoder#map}, so only the reading of the bytes differs from
 * the Jackson path. The values of {@link WindowsEventDecoder#LAZY} stay bytes until the mapping
 * asks for them, which it does not for a creation its screen sets aside.
 *
 * <p>It accepts what {@link JsonCursor} accepts and, like {@link FlatRowScanner}, nothing it is
 * unsure of: a name that needs decoding, a member read as an object (EventData, winlog, process,
 * ...: the other shapes), a scalar member whose value is an object or array (a Jackson dead
 * letter), a record the mapping refuses (a dead letter Jackson's path writes again), or, when the
 * format leaves it open, a record whose first name of one family ({@link
 * JsonInputDecoder#familyOf}) is not Windows'. Then it answers {@code null} and the decoder reads
 * the record with Jackson.
 */
final class WindowsFlatScanner {
  /**
   * A top-level name the mapping knows: the string it switches on, whether it holds an object, its
   * index in {@link WindowsEventDecoder#LAZY} or -1, and its bytes: their {@link JsonCursor#tail},
   * and for a name longer than eight bytes their {@link JsonCursor#words}.
   */
  record Known(String name, boolean object, int lazy, int length, long tail, long[] words) {
    static Known of(String name, boolean object, int lazy) {
      byte[] ascii = JsonCursor.ascii(name);
      return new Known(
          name,
          object,
          lazy,
          ascii.length,
          JsonCursor.tail(ascii, 0, ascii.length),
          ascii.length > 8 ? JsonCursor.words(ascii) : null);
    }
  }

  /**
   * The known names by the hash of their length and tail, with linear probing: a name is looked up
   * once per member of every record, so with one multiplication rather than a compare per name of
   * its length.
   */
  private static final Known[] TABLE = table();

  private static final int LONGEST =
      Arrays.stream(TABLE).filter(k -> k != null).mapToInt(Known::length).max().orElse(0);

  private final JsonCursor c;

  WindowsFlatScanner(byte[] json) {
    this(new JsonCursor(json));
  }

  WindowsFlatScanner(JsonCursor cursor) {
    this.c = cursor;
  }

  /**
   * @param anyFirstName whether the format says Windows, or {@link FlatRowScanner} found the names
   *     do ({@link FlatRowScanner.Outcome#WINDOWS}); otherwise the names must, as for the decoder
   * @return the record, or {@code null}: read it with Jackson
   */
  WindowsEventDecoder.Result scan(WindowsEventDecoder decoder, boolean anyFirstName) {
    try {
      WindowsEventDecoder.Fields f = new WindowsEventDecoder.Fields(c);
      int p = c.ws(c.expect(c.ws(0), '{'));
      boolean windows = anyFirstName;
      while (true) {
        int from = c.expect(p, '"');
        p = c.name(from);
        Known known = known(from, p - 1);
        String name = known == null ? null : known.name();
        if (!windows) {
          // the decoder tells the family by the first name that belongs to one
          JsonInputDecoder.Family family = JsonInputDecoder.familyOf(c.b, from, p - 1);
          if (family == JsonInputDecoder.Family.DEFENDER) {
            throw JsonCursor.UNSURE;
          }
          windows = family == JsonInputDecoder.Family.WINDOWS;
        }
        p = c.colon(p);
        if (name == null) {
          p = c.value(p, 1);
        } else if (known.object() || p >= c.end || c.b[p] == '{' || c.b[p] == '[') {
          throw JsonCursor.UNSURE;
        } else {
          int q = c.value(p, 1);
          if (known.lazy() >= 0) {
            f.keepLazily(known.lazy(), p, q);
          } else {
            // not an EventData field (those are all lazy), so keep never needs the empty maps
            WindowsEventDecoder.keep(f, name, c.text(p, q));
          }
          p = q;
        }
        p = c.nextMember(p);
        if (p < 0) {
          p = ~p;
          break;
        }
      }
      if (c.ws(p) != c.end || !windows) {
        throw JsonCursor.UNSURE;
      }
      return decoder.map(f);
    } catch (JsonCursor.Unsure | DecodeException e) {
      return null;
    }
  }

  /** The known name spelled by {@code [from, to)}, or {@code null}. */
  Known known(int from, int to) {
    int n = to - from;
    if (n > LONGEST) {
      return null;
    }
    long tail = c.tail(from, n);
    for (int i = slot(n, tail); TABLE[i] != null; i = next(i)) {
      Known k = TABLE[i];
      // up to eight bytes the tail is the whole name
      if (k.length() == n && k.tail() == tail && (n <= 8 || c.sameWords(from, n, k.words()))) {
        return k;
      }
    }
    return null;
  }

  private static int slot(int length, long tail) {
    return (int) ((tail * 0x9E3779B97F4A7C15L) >>> 40 ^ length) & (TABLE_SIZE - 1);
  }

  /** The slot after {@code i}, the first after the last (linear probing). */
  private static int next(int i) {
    return (i + 1) & (TABLE_SIZE - 1);
  }

  private static final int TABLE_SIZE = 256;

  private static Known[] table() {
    List<Known> all =
        Stream.concat(
                WindowsEventDecoder.FLAT_SCALARS.stream()
                    .map(n -> Known.of(n, false, WindowsEventDecoder.LAZY.indexOf(n))),
                WindowsEventDecoder.FLAT_OBJECTS.stream().map(n -> Known.of(n, true, -1)))
            .toList();
    Known[] out = new Known[TABLE_SIZE];
    if (all.size() > TABLE_SIZE / 2) {
      throw new IllegalStateException("the table of known names is too small");
    }
    for (Known k : all) {
      int i = slot(k.length(), k.tail());
      while (out[i] != null) {
        i = next(i);
      }
      out[i] = k;
    }
    return out;
  }
}
