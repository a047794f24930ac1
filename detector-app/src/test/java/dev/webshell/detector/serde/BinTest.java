package dev.webshell.detector.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class BinTest {
  private static void writeSample(DataOutputStream out) throws IOException {
    out.writeByte(1);
    out.writeLong(-42L);
    out.writeBoolean(true);
    out.writeInt(7);
    Bin.writeString(out, "C:\\Windows\\System32\\cmd.exe /c whoami é€😀");
    Bin.writeString(out, null);
    Bin.writeString(out, "x".repeat(1_000));
    Bin.writeLong(out, 9L);
    Bin.writeLong(out, null);
  }

  @Test
  void shouldWriteTheSameBytesAsAByteArrayOutputStreamWhileGrowing() throws IOException {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(expected)) {
      writeSample(out);
    }
    Bin.Buffer buf = new Bin.Buffer(1); // grows many times
    try (DataOutputStream out = new DataOutputStream(buf)) {
      writeSample(out);
    }
    assertArrayEquals(expected.toByteArray(), buf.toByteArray());
  }

  @Test
  void shouldReadBackWhatWasWrittenAndThenReachTheEnd() throws IOException {
    Bin.Buffer buf = new Bin.Buffer(16);
    try (DataOutputStream out = new DataOutputStream(buf)) {
      writeSample(out);
    }
    try (DataInputStream in = Bin.reader(buf.toByteArray())) {
      assertEquals(1, in.readByte());
      assertEquals(-42L, in.readLong());
      assertEquals(true, in.readBoolean());
      assertEquals(7, in.readInt());
      assertEquals("C:\\Windows\\System32\\cmd.exe /c whoami é€😀", Bin.readString(in));
      assertNull(Bin.readString(in));
      assertEquals("x".repeat(1_000), Bin.readString(in));
      assertEquals(9L, Bin.readLong(in));
      assertNull(Bin.readLong(in));
      assertEquals(0, in.available());
      assertEquals(-1, in.read());
      assertThrows(EOFException.class, in::readInt);
    }
  }

  @Test
  void shouldFailOnATruncatedRecordAsDataInputStreamDoes() {
    byte[] truncated = {0, 0, 0, 5, 'a', 'b'}; // a string of five bytes, two present
    assertThrows(EOFException.class, () -> Bin.readString(Bin.reader(truncated)));
  }
}
