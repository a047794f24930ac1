package dev.webshell.detector.serde;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** Small helpers for the internal binary formats (repartition and state): nullable values. */
public final class Bin {
  private Bin() {}

  public static void writeString(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  public static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  public static void writeLong(DataOutputStream out, Long v) throws IOException {
    out.writeBoolean(v != null);
    if (v != null) {
      out.writeLong(v);
    }
  }

  public static Long readLong(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readLong() : null;
  }

  /** A reader of {@code bytes} ({@link Input}). */
  public static DataInputStream reader(byte[] bytes) {
    return new DataInputStream(new Input(bytes));
  }

  /**
   * The bytes written, in a growing array. Unlike {@code ByteArrayOutputStream} its methods are not
   * synchronized: {@code DataOutputStream} writes an int as four one-byte calls, and a lock per
   * call was a measurable part of the process tree's serdes, which run per record.
   */
  public static final class Buffer extends OutputStream {
    private byte[] buf;
    private int count;

    public Buffer(int size) {
      buf = new byte[Math.max(size, 16)];
    }

    @Override
    public void write(int b) {
      if (count == buf.length) {
        buf = Arrays.copyOf(buf, 2 * buf.length);
      }
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      if (count + len > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(2 * buf.length, count + len));
      }
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    public byte[] toByteArray() {
      return Arrays.copyOf(buf, count);
    }
  }

  /** {@code ByteArrayInputStream} without its locks, for {@link #reader} (see {@link Buffer}). */
  private static final class Input extends InputStream {
    private final byte[] buf;
    private int pos;

    Input(byte[] buf) {
      this.buf = buf;
    }

    @Override
    public int read() {
      return pos < buf.length ? buf[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (pos >= buf.length) {
        return -1;
      }
      int n = Math.min(len, buf.length - pos);
      System.arraycopy(buf, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public int available() {
      return buf.length - pos;
    }

    @Override
    public long skip(long n) {
      long k = Math.max(0, Math.min(n, buf.length - pos));
      pos += (int) k;
      return k;
    }
  }
}
