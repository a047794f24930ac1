package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.InvalidNumberEncodingException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

/** {@link AvroCursor} reads every byte array as Avro's {@link BinaryDecoder} does. */
class AvroCursorTest {
  private static final String[] OPS = {"long", "int", "skipString", "string"};

  @Test
  void shouldReadRandomBytesWithTheValuesPositionsAndFailuresOfBinaryDecoder() {
    Random random = new Random(7);
    int failures = 0;
    for (int run = 0; run < 15_000; run++) {
      byte[] data = randomBytes(random);
      int offset = data.length == 0 ? 0 : random.nextInt(Math.min(data.length, 3) + 1);
      List<String> ops = new ArrayList<>();
      for (int k = random.nextInt(4) + 1; k > 0; k--) {
        ops.add(OPS[random.nextInt(OPS.length)]);
      }
      List<String> expected = withBinaryDecoder(data, offset, ops);
      assertEquals(expected, withCursor(data, offset, ops), Arrays.toString(data) + " " + ops);
      if (expected.get(expected.size() - 1).equals("fail")) {
        failures++;
      }
    }
    // both outcomes are well represented
    assertEquals(true, failures > 1_500 && failures < 13_500, failures + " failures");
  }

  @Test
  void shouldReadTheLongestValidVarintsAndRefuseOneByteMore() throws Exception {
    byte[] maxLong = {-2, -1, -1, -1, -1, -1, -1, -1, -1, 1}; // zigzag of Long.MAX_VALUE
    assertEquals(Long.MAX_VALUE, new AvroCursor().at(maxLong, 0, 10).readLong());
    byte[] elevenBytes = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1};
    assertThrows(
        InvalidNumberEncodingException.class,
        () -> new AvroCursor().at(elevenBytes, 0, 11).readLong());
    byte[] maxInt = {-2, -1, -1, -1, 15};
    assertEquals(Integer.MAX_VALUE, new AvroCursor().at(maxInt, 0, 5).readInt());
    byte[] sixBytes = {-1, -1, -1, -1, -1, 1};
    assertThrows(
        InvalidNumberEncodingException.class, () -> new AvroCursor().at(sixBytes, 0, 6).readInt());
  }

  @Test
  void shouldSkipANegativeLengthAsEmptyButRefuseToReadIt() throws Exception {
    byte[] minusOne = {1, 42};
    AvroCursor skip = new AvroCursor().at(minusOne, 0, 2);
    skip.skipString();
    assertEquals(1, skip.position());
    // "Malformed data. Length is negative", from SystemLimitException.checkMaxStringLength
    assertThrows(
        AvroRuntimeException.class, () -> new AvroCursor().at(minusOne, 0, 2).skipReadableString());
  }

  @Test
  void shouldFailAtTheEndOfTheDataNotOfTheArray() {
    byte[] data = {4, 'a', 'b', 6, 'c'};
    assertThrows(EOFException.class, () -> new AvroCursor().at(data, 3, 4).skipString());
    assertThrows(EOFException.class, () -> new AvroCursor().at(data, 0, 0).readLong());
  }

  private static byte[] randomBytes(Random random) {
    byte[] b = new byte[random.nextInt(16)];
    for (int i = 0; i < b.length; i++) {
      // mostly continuation bytes, so that long and invalid varints are common
      b[i] =
          switch (random.nextInt(4)) {
            case 0 -> (byte) random.nextInt(256);
            case 1 -> (byte) random.nextInt(12);
            default -> (byte) (0x80 | random.nextInt(128));
          };
    }
    return b;
  }

  /** The primitives under test, on either reader. */
  private interface Reader {
    long readLong() throws Exception;

    int readInt() throws Exception;

    void skipString() throws Exception;

    String readString() throws Exception;

    int position() throws Exception;
  }

  /** Each op's value and the position after it, until the first failure: "fail". */
  private static List<String> outcomes(List<String> ops, Reader in) {
    List<String> out = new ArrayList<>();
    try {
      for (String op : ops) {
        String value =
            switch (op) {
              case "long" -> Long.toString(in.readLong());
              case "int" -> Integer.toString(in.readInt());
              case "skipString" -> {
                in.skipString();
                yield "";
              }
              default -> in.readString();
            };
        out.add(value + "@" + in.position());
      }
    } catch (Exception | OutOfMemoryError e) {
      out.add("fail");
    }
    return out;
  }

  private static List<String> withBinaryDecoder(byte[] data, int offset, List<String> ops) {
    BinaryDecoder in = DecoderFactory.get().binaryDecoder(data, offset, data.length - offset, null);
    return outcomes(
        ops,
        new Reader() {
          public long readLong() throws Exception {
            return in.readLong();
          }

          public int readInt() throws Exception {
            return in.readInt();
          }

          public void skipString() throws Exception {
            in.skipString();
          }

          public String readString() throws Exception {
            return in.readString();
          }

          public int position() throws Exception {
            return data.length - in.inputStream().available();
          }
        });
  }

  private static List<String> withCursor(byte[] data, int offset, List<String> ops) {
    AvroCursor in = new AvroCursor().at(data, offset, data.length);
    return outcomes(
        ops,
        new Reader() {
          public long readLong() throws Exception {
            return in.readLong();
          }

          public int readInt() throws Exception {
            return in.readInt();
          }

          public void skipString() throws Exception {
            in.skipString();
          }

          public String readString() throws Exception {
            int length = in.skipReadableString();
            return new String(data, in.position() - length, length, StandardCharsets.UTF_8);
          }

          public int position() {
            return in.position();
          }
        });
  }
}
