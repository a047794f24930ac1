package dev.webshell.detector.event;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Reads one writer schema's records straight into the projection's slots: resolved once per writer
 * schema, then a plain loop over the writer's fields, each either read into its projection slot or
 * skipped, with the primitives of {@link AvroCursor}, which reads the bytes as the {@link
 * BinaryDecoder} methods Avro's resolving reader calls do (so a truncated or malformed body fails
 * the same way), without the decoder's buffering, the reader's grammar, symbol stack and record
 * object. A field type it has no primitive for is skipped by Avro itself.
 *
 * <p>Strings are located while walking and built only once the whole record has been walked (and
 * has thus proved readable): all of them, or, when a {@link FileNameFilter} says the event cannot
 * match, only the one the caller needs whatever the event (DeviceId).
 *
 * <p>{@link #compile} returns {@code null} for a writer schema it does not handle exactly like
 * Avro's schema resolution would (another record name, type promotions such as int to long or bytes
 * to string, a union branch the projection cannot hold): those writers keep the generic resolving
 * reader.
 */
final class ProjectionReader {
  // what to do with one writer field
  private static final int SKIP_STRING = 0; // string or bytes
  private static final int SKIP_LONG = 1;
  private static final int SKIP_INT = 2; // int or enum
  private static final int SKIP_NULLABLE_STRING = 3; // union of null and string/bytes
  private static final int SKIP_NULLABLE_LONG = 4; // union of null and long
  private static final int SKIP_OTHER = 5; // anything else: Avro's own skip
  private static final int READ_STRING = 6;
  private static final int READ_LONG = 7;
  private static final int READ_UNION = 8; // branches: NULL, STRING or LONG

  private static final byte NULL = 0;
  private static final byte STRING = 1;
  private static final byte LONG = 2;

  private final int slots;
  private final int[] ops;
  private final int[] slot; // READ_*: the projection position
  private final int[] nullIndex; // SKIP_NULLABLE_*: the union index of null
  private final Schema[] schemas; // SKIP_OTHER: the writer field's schema
  private final byte[][] branches; // READ_UNION: what each writer branch is

  /** Per thread: the cursor and decoder re-pointed at each record, and its string spans. */
  private final ThreadLocal<Scratch> scratch;

  private static final class Scratch {
    final AvroCursor cursor = new AvroCursor();
    BinaryDecoder decoder; // SKIP_OTHER only
    final int[] spans;

    Scratch(int slots) {
      spans = new int[2 * slots];
    }
  }

  private ProjectionReader(int slots, int n) {
    this.slots = slots;
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(slots));
    this.ops = new int[n];
    this.slot = new int[n];
    this.nullIndex = new int[n];
    this.schemas = new Schema[n];
    this.branches = new byte[n][];
  }

  /**
   * The reader of {@code writer}'s records as {@code projection}, whose fields must all be unions
   * of null and a string or a long, defaulting to null; or {@code null} when the generic reader
   * must be used.
   */
  static ProjectionReader compile(Schema writer, Schema projection) {
    if (writer.getType() != Schema.Type.RECORD
        || !writer.getFullName().equals(projection.getFullName())
        || projection.getFields().size() > Long.SIZE) { // one bit per slot in read()
      return null;
    }
    List<Schema.Field> fields = writer.getFields();
    ProjectionReader r = new ProjectionReader(projection.getFields().size(), fields.size());
    for (int i = 0; i < fields.size(); i++) {
      Schema.Field wf = fields.get(i);
      Schema.Field rf = projection.getField(wf.name());
      Schema w = wf.schema();
      if (rf == null) {
        r.skip(i, w);
        continue;
      }
      byte want = readerType(rf.schema());
      if (want < 0) {
        return null;
      }
      r.slot[i] = rf.pos();
      if (w.getType() == Schema.Type.UNION) {
        List<Schema> types = w.getTypes();
        byte[] b = new byte[types.size()];
        for (int k = 0; k < b.length; k++) {
          Schema.Type t = types.get(k).getType();
          if (t == Schema.Type.NULL) {
            b[k] = NULL;
          } else if (kind(t) == want) {
            b[k] = want;
          } else {
            return null; // a branch the projection resolves differently (or not at all)
          }
        }
        r.ops[i] = READ_UNION;
        r.branches[i] = b;
      } else if (kind(w.getType()) == want) {
        r.ops[i] = want == STRING ? READ_STRING : READ_LONG;
      } else {
        return null;
      }
    }
    return r;
  }

  /** STRING or LONG for a projection field of type union {null, string|long}; else -1. */
  private static byte readerType(Schema reader) {
    if (reader.getType() != Schema.Type.UNION || reader.getTypes().size() != 2) {
      return -1;
    }
    Schema a = reader.getTypes().get(0);
    Schema b = reader.getTypes().get(1);
    Schema value = a.getType() == Schema.Type.NULL ? b : a;
    if ((a.getType() == Schema.Type.NULL) == (b.getType() == Schema.Type.NULL)) {
      return -1;
    }
    return kind(value.getType());
  }

  private static byte kind(Schema.Type t) {
    return switch (t) {
      case STRING -> STRING;
      case LONG -> LONG;
      default -> -1;
    };
  }

  private void skip(int i, Schema w) {
    switch (w.getType()) {
      case STRING, BYTES -> ops[i] = SKIP_STRING;
      case LONG -> ops[i] = SKIP_LONG;
      case INT, ENUM -> ops[i] = SKIP_INT;
      case UNION -> {
        List<Schema> types = w.getTypes();
        if (types.size() == 2) {
          int n = types.get(0).getType() == Schema.Type.NULL ? 0 : 1;
          Schema.Type other = types.get(1 - n).getType();
          if (types.get(n).getType() == Schema.Type.NULL) {
            if (other == Schema.Type.STRING || other == Schema.Type.BYTES) {
              ops[i] = SKIP_NULLABLE_STRING;
              nullIndex[i] = n;
              return;
            }
            if (other == Schema.Type.LONG) {
              ops[i] = SKIP_NULLABLE_LONG;
              nullIndex[i] = n;
              return;
            }
          }
        }
        ops[i] = SKIP_OTHER;
        schemas[i] = w;
      }
      default -> {
        ops[i] = SKIP_OTHER;
        schemas[i] = w;
      }
    }
  }

  /**
   * The projection's values (by field position) of the record in {@code data[offset..]}, every
   * string built.
   *
   * @throws IOException for a truncated body
   * @throws RuntimeException for bytes that do not follow the writer schema
   */
  Object[] read(byte[] data, int offset) throws IOException {
    return read(data, offset, null, -1, -1);
  }

  /**
   * The projection's values (by field position) of the record in {@code data[offset..]}. Once the
   * whole record has been walked, {@code filter} (if any) is asked about the bytes of the string in
   * slot {@code filterSlot} ({@code null} bytes when that value is null); if it says the event
   * cannot match, the only string built is the one in slot {@code keepSlot}, and the other string
   * slots stay {@code null}. Longs are always read. Whether and how the record fails does not
   * depend on the filter.
   *
   * @throws IOException for a truncated body
   * @throws RuntimeException for bytes that do not follow the writer schema
   */
  Object[] read(byte[] data, int offset, FileNameFilter filter, int filterSlot, int keepSlot)
      throws IOException {
    int end = data.length;
    Scratch scratch = this.scratch.get();
    AvroCursor in = scratch.cursor.at(data, offset, end);
    Object[] out = new Object[slots];
    int[] spans = scratch.spans; // string slots: start and length in data (only set bits count)
    long strings = 0; // the slots holding a string
    int[] ops = this.ops;
    for (int i = 0; i < ops.length; i++) {
      switch (ops[i]) {
        case SKIP_STRING -> in.skipString();
        case SKIP_LONG -> in.readLong();
        case SKIP_INT -> in.readInt();
        case SKIP_NULLABLE_STRING -> {
          if (union(in, i) != nullIndex[i]) {
            in.skipString();
          }
        }
        case SKIP_NULLABLE_LONG -> {
          if (union(in, i) != nullIndex[i]) {
            in.readLong();
          }
        }
        case SKIP_OTHER -> skipOther(scratch, schemas[i], data, end);
        case READ_STRING -> strings |= span(in, spans, slot[i]);
        case READ_LONG -> out[slot[i]] = in.readLong();
        case READ_UNION -> {
          byte[] b = branches[i];
          int k = in.readInt();
          if (k < 0 || k >= b.length) {
            throw new IndexOutOfBoundsException("union index " + k + " of " + b.length);
          }
          switch (b[k]) {
            case STRING -> strings |= span(in, spans, slot[i]);
            case LONG -> out[slot[i]] = in.readLong();
            default -> {} // null
          }
        }
        default -> throw new IllegalStateException("op " + ops[i]);
      }
    }
    if (strings == 0) {
      return out;
    }
    boolean all = true;
    if (filter != null) {
      boolean present = (strings & (1L << filterSlot)) != 0;
      all =
          present
              ? filter.mayMatch(data, spans[2 * filterSlot], spans[2 * filterSlot + 1])
              : filter.mayMatch(null, 0, 0);
      if (!all) {
        strings &= 1L << keepSlot;
      }
    }
    for (int s = 0; strings != 0; s++, strings >>>= 1) {
      if ((strings & 1) != 0) {
        int length = spans[2 * s + 1];
        out[s] = length == 0 ? "" : new String(data, spans[2 * s], length, StandardCharsets.UTF_8);
      }
    }
    return out;
  }

  /**
   * Locates the string {@link BinaryDecoder#readString()} would read next, and moves past it: the
   * same length check and failures ({@link AvroCursor#skipReadableString}), without copying the
   * bytes. The string is {@code new String(data, start, length, UTF_8)}, as {@code readString}
   * builds it.
   *
   * @return the slot's bit
   */
  private static long span(AvroCursor in, int[] spans, int slot) throws IOException {
    int length = in.skipReadableString();
    spans[2 * slot] = in.position() - length;
    spans[2 * slot + 1] = length;
    return 1L << slot;
  }

  /**
   * Skips a field of a type {@link AvroCursor} has no primitive for (arrays, maps, records, other
   * unions…) with Avro's own {@link GenericDatumReader#skip}, and moves the cursor past it.
   */
  private static void skipOther(Scratch scratch, Schema schema, byte[] data, int end)
      throws IOException {
    AvroCursor cursor = scratch.cursor;
    int from = cursor.position();
    BinaryDecoder in = DecoderFactory.get().binaryDecoder(data, from, end - from, scratch.decoder);
    scratch.decoder = in;
    GenericDatumReader.skip(schema, in);
    // the decoder's position: its input stream's available() is what remains of the byte array
    // (also after it has copied the last few bytes into a padded buffer to read a varint)
    cursor.at(data, end - in.inputStream().available(), end);
  }

  /** Reads a two-branch union's index; anything but 0 or 1 is not this writer's record. */
  private static int union(AvroCursor in, int field) throws IOException {
    int k = in.readInt();
    if (k != 0 && k != 1) {
      throw new IndexOutOfBoundsException("union index " + k + " of 2 (field " + field + ")");
    }
    return k;
  }
}
