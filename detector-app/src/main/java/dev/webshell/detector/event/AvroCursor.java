package dev.webshell.detector.event;

import java.io.EOFException;
import java.io.IOException;
import org.apache.avro.InvalidNumberEncodingException;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.BinaryDecoder;

/**
 * Avro binary primitives read straight from a byte array, with the values and the failures of
 * {@link BinaryDecoder} reading the same array ({@code DecoderFactory.binaryDecoder(data, offset,
 * length, …)}), without its buffering: a varint of more than 5 (int) or 10 (long) bytes is an
 * {@link InvalidNumberEncodingException}, a read past the end an {@link EOFException}, a string
 * length that {@link SystemLimitException#checkMaxStringLength} refuses (negative, or above the
 * limit) its exception; a skipped string or bytes of negative length is skipped as empty, as {@code
 * skipString} does. {@code AvroCursorTest} holds each method to {@code BinaryDecoder} on random
 * bytes.
 *
 * <p>One cursor per thread, re-pointed at each record with {@link #at}.
 */
final class AvroCursor {
  private byte[] buf;
  private int pos;
  private int end;

  /** Reads {@code buf[pos..end)} from {@code pos}. */
  AvroCursor at(byte[] buf, int pos, int end) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    return this;
  }

  /** The position of the next byte to read. */
  int position() {
    return pos;
  }

  /** {@link BinaryDecoder#readLong()}. */
  long readLong() throws IOException {
    byte[] b = buf;
    int p = pos;
    long l = 0;
    for (int shift = 0; ; shift += 7) {
      if (p >= end) {
        throw new EOFException();
      }
      int x = b[p++] & 0xff;
      l |= (long) (x & 0x7f) << shift;
      if (x <= 0x7f) {
        break;
      }
      if (shift == 63) {
        throw new InvalidNumberEncodingException("Invalid long encoding");
      }
    }
    pos = p;
    return (l >>> 1) ^ -(l & 1);
  }

  /** {@link BinaryDecoder#readInt()}, also {@code readIndex} and {@code readEnum}. */
  int readInt() throws IOException {
    byte[] b = buf;
    int p = pos;
    int n = 0;
    for (int shift = 0; ; shift += 7) {
      if (p >= end) {
        throw new EOFException();
      }
      int x = b[p++] & 0xff;
      n |= (x & 0x7f) << shift;
      if (x <= 0x7f) {
        break;
      }
      if (shift == 28) {
        throw new InvalidNumberEncodingException("Invalid int encoding");
      }
    }
    pos = p;
    return (n >>> 1) ^ -(n & 1);
  }

  /**
   * {@link BinaryDecoder#skipString()} and {@code skipBytes()}: a negative length skips nothing.
   */
  void skipString() throws IOException {
    long length = readLong();
    if (length <= 0) {
      return;
    }
    if (length > end - pos) {
      throw new EOFException();
    }
    pos += (int) length;
  }

  /**
   * Moves past the string {@link BinaryDecoder#readString()} would read, and returns its length; it
   * starts at {@link #position()} minus that length.
   */
  int skipReadableString() throws IOException {
    int length = SystemLimitException.checkMaxStringLength(readLong());
    if (length > end - pos) {
      throw new EOFException();
    }
    pos += length;
    return length;
  }
}
