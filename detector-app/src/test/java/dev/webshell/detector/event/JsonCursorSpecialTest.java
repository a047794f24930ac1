package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonCursor#special}, which tests eight bytes at a time, against the byte-by-byte rule it
 * stands for: the first quote, backslash, control character or byte of 0x80 and above.
 */
class JsonCursorSpecialTest {

  private static boolean isSpecial(byte c) {
    return c < 0x20 || c == '"' || c == '\\'; // bytes of 0x80 and above are negative
  }

  private static int firstSpecial(byte[] b, int from) {
    int p = from;
    while (p < b.length && !isSpecial(b[p])) {
      p++;
    }
    return p;
  }

  @Test
  void shouldFindTheFirstOfEveryPairOfBytesAtEveryPlaceInAWord() {
    // every two consecutive bytes, at every offset of two words of plain text: a borrow from the
    // first into the second must never hide or fake the first special byte
    byte[] b = new byte[24];
    for (int at = 0; at < 16; at++) {
      for (int x = 0; x < 256; x++) {
        for (int y = 0; y < 256; y++) {
          java.util.Arrays.fill(b, (byte) 'a');
          b[at] = (byte) x;
          b[at + 1] = (byte) y;
          int expected = firstSpecial(b, 0);
          int found = new JsonCursor(b).special(0);
          if (found != expected) {
            assertEquals(expected, found, String.format("0x%02x 0x%02x at %d", x, y, at));
          }
        }
      }
    }
  }

  /** A string's end as the grammar says it, a byte at a time; -1 where the cursor is unsure. */
  private static int stringEnd(JsonCursor c, byte[] b, int p) {
    try {
      while (p < b.length) {
        byte x = b[p];
        if (x == '"') {
          return p + 1;
        } else if (x == '\\') {
          p = c.escape(p + 1);
        } else if (x < 0) {
          p = c.utf8(p);
        } else if (x < 0x20) {
          return -1;
        } else {
          p++;
        }
      }
      return -1;
    } catch (JsonCursor.Unsure e) {
      return -1;
    }
  }

  @Test
  void shouldEndAStringWhereTheGrammarDoesWhateverItsLengthAndItsSpecialBytes() {
    // strings that end before, at and after each eight-byte word, with escapes, multi-byte
    // characters and control characters anywhere
    Random random = new Random(32);
    byte[][] pieces = {
      {'"'},
      {'\\', '\\'},
      {'\\', '"'},
      {'\\', 'n'},
      {'\\', 'u', '0', '0', '5', 'c'},
      {'\\', 'x'},
      {(byte) 0xc3, (byte) 0xa9},
      {(byte) 0xe2, (byte) 0x82, (byte) 0xac},
      {(byte) 0xc3},
      {0x01}
    };
    for (int round = 0; round < 20_000; round++) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      int n = random.nextInt(120);
      while (out.size() < n) {
        if (random.nextInt(random.nextBoolean() ? 4 : 40) == 0) {
          out.writeBytes(pieces[random.nextInt(pieces.length)]);
        } else {
          out.write(0x20 + random.nextInt(0x5f));
        }
      }
      byte[] b = out.toByteArray();
      JsonCursor c = new JsonCursor(b);
      for (int from = 0; from <= b.length; from++) {
        int expected = stringEnd(c, b, from);
        int found;
        try {
          found = c.string(from);
        } catch (JsonCursor.Unsure e) {
          found = -1;
        }
        if (found != expected) {
          assertEquals(
              expected,
              found,
              "from "
                  + from
                  + " of "
                  + new String(b, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
      }
    }
  }

  @Test
  void shouldFindTheFirstSpecialByteInRandomTextFromEveryStart() {
    Random random = new Random(18);
    byte[] alphabet = {'a', 'Z', ' ', '~', '"', '\\', 0x00, 0x1f, 0x7f, (byte) 0x80, (byte) 0xff};
    for (int round = 0; round < 20_000; round++) {
      byte[] b = new byte[random.nextInt(40)];
      for (int i = 0; i < b.length; i++) {
        // mostly plain text, so that runs of plain words lie between the special bytes
        b[i] =
            random.nextInt(6) == 0
                ? alphabet[random.nextInt(alphabet.length)]
                : (byte) (0x20 + random.nextInt(0x60));
      }
      JsonCursor c = new JsonCursor(b);
      for (int from = 0; from <= b.length; from++) {
        assertEquals(firstSpecial(b, from), c.special(from), "from " + from);
      }
    }
  }
}
