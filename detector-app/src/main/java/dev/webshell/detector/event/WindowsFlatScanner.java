package dev.webshell.detector.event;

import java.nio.charset.StandardCharsets;
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
   * index in {@link WindowsEventDecoder#LAZY} or -1, and its bytes ({@link JsonCursor#words} of
   * them for a name of eight or more).
   */
  private record Known(String name, boolean object, int lazy, byte[] ascii, long[] words) {
    Known(String name, boolean object, int lazy) {
      this(name, object, lazy, JsonCursor.ascii(name), null);
    }

    Known {
      words = ascii.length >= 8 ? JsonCursor.words(ascii) : null;
    }
  }

  /** The known names by length. */
  private static final Known[][] BY_LENGTH = byLength();

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
          String n =
              name != null
                  ? name
                  : new String(c.b, from, p - 1 - from, StandardCharsets.ISO_8859_1);
          JsonInputDecoder.Family family = JsonInputDecoder.familyOf(n);
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
  private Known known(int from, int to) {
    int n = to - from;
    if (n >= BY_LENGTH.length) {
      return null;
    }
    for (Known k : BY_LENGTH[n]) {
      if (k.words() != null ? c.sameWords(from, n, k.words()) : c.sameBytes(from, k.ascii())) {
        return k;
      }
    }
    return null;
  }

  private static Known[][] byLength() {
    List<Known> all =
        Stream.concat(
                WindowsEventDecoder.FLAT_SCALARS.stream()
                    .map(n -> new Known(n, false, WindowsEventDecoder.LAZY.indexOf(n))),
                WindowsEventDecoder.FLAT_OBJECTS.stream().map(n -> new Known(n, true, -1)))
            .toList();
    int longest = all.stream().mapToInt(k -> k.name().length()).max().orElse(0);
    Known[][] out = new Known[longest + 1][];
    for (int n = 0; n <= longest; n++) {
      int length = n;
      out[n] = all.stream().filter(k -> k.name().length() == length).toArray(Known[]::new);
    }
    return out;
  }
}
