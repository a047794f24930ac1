package dev.webshell.detector.window;

import dev.webshell.detector.serde.Bin;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The window store's value format (internal; version byte first).
 *
 * <ul>
 *   <li>Version 2 added the newest ahead-of-clock Timestamp after {@code contentMin}; version 1
 *       state is read as holding none.
 *   <li>Version 3 added, after each bucket's sample, where each distinct value of the reported
 *       fields first occurred among the bucket's events; earlier state is read as knowing the
 *       sample's values only.
 * </ul>
 */
public final class DeviceWindowSerde implements Serde<DeviceWindow> {
  private static final byte V1 = 1;
  private static final byte V2 = 2;
  private static final byte VERSION = 3;

  @Override
  public Serializer<DeviceWindow> serializer() {
    return (topic, w) -> w == null ? null : write(w);
  }

  @Override
  public Deserializer<DeviceWindow> deserializer() {
    return (topic, bytes) -> bytes == null ? null : read(bytes);
  }

  static byte[] write(DeviceWindow w) {
    Bin.Buffer buf = new Bin.Buffer(512);
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.writeByte(VERSION);
      Bin.writeString(out, w.alertId);
      out.writeLong(w.openedAtMicros);
      out.writeInt(w.revision);
      out.writeLong(w.windowEnd);
      out.writeLong(w.nextSeq);
      out.writeBoolean(w.overflowed);
      out.writeLong(w.contentMin);
      out.writeLong(w.aheadUntil);
      out.writeInt(w.lastEmitted.length);
      for (long h : w.lastEmitted) {
        out.writeLong(h);
      }
      out.writeInt(w.lines.size());
      for (DeviceWindow.Line l : w.lines) {
        Bin.writeString(out, l.text);
        out.writeLong(l.hash);
        out.writeBoolean(l.cut);
        out.writeInt(l.exact.size());
        for (DeviceWindow.Event e : l.exact) {
          writeEvent(out, e);
        }
        out.writeInt(l.buckets.size());
        for (DeviceWindow.Bucket b : l.buckets) {
          out.writeLong(b.start);
          out.writeLong(b.count);
          out.writeLong(b.minTs);
          out.writeLong(b.maxTs);
          out.writeBoolean(b.partial);
          writeEvent(out, b.sample);
          out.writeInt(b.seen.size());
          for (DeviceWindow.Seen seen : b.seen) {
            out.writeByte(seen.field);
            Bin.writeString(out, seen.value);
            out.writeLong(seen.ts);
            out.writeLong(seen.seq);
          }
          out.writeBoolean(b.seenCut);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  private static void writeEvent(DataOutputStream out, DeviceWindow.Event e) throws IOException {
    out.writeLong(e.ts);
    out.writeLong(e.seq);
    Bin.writeLong(out, e.reportId);
    Bin.writeLong(out, e.processId);
    Bin.writeString(out, e.fileName);
    Bin.writeString(out, e.accountName);
    Bin.writeString(out, e.initiatingFileName);
    Bin.writeString(out, e.initiatingParentFileName);
    Bin.writeString(out, e.deviceName);
  }

  private static DeviceWindow.Event readEvent(DataInputStream in) throws IOException {
    DeviceWindow.Event e = new DeviceWindow.Event();
    e.ts = in.readLong();
    e.seq = in.readLong();
    e.reportId = Bin.readLong(in);
    e.processId = Bin.readLong(in);
    e.fileName = Bin.readString(in);
    e.accountName = Bin.readString(in);
    e.initiatingFileName = Bin.readString(in);
    e.initiatingParentFileName = Bin.readString(in);
    e.deviceName = Bin.readString(in);
    return e;
  }

  static DeviceWindow read(byte[] bytes) {
    try (DataInputStream in = Bin.reader(bytes)) {
      byte v = in.readByte();
      if (v != VERSION && v != V2 && v != V1) {
        throw new SerializationException("unknown window state version " + v);
      }
      DeviceWindow w = new DeviceWindow();
      w.alertId = Bin.readString(in);
      w.openedAtMicros = in.readLong();
      w.revision = in.readInt();
      w.windowEnd = in.readLong();
      w.nextSeq = in.readLong();
      w.overflowed = in.readBoolean();
      w.contentMin = in.readLong();
      w.aheadUntil = v == V1 ? Long.MIN_VALUE : in.readLong();
      long[] emitted = new long[in.readInt()];
      for (int i = 0; i < emitted.length; i++) {
        emitted[i] = in.readLong();
      }
      w.lastEmitted = emitted;
      int lines = in.readInt();
      for (int i = 0; i < lines; i++) {
        DeviceWindow.Line l = new DeviceWindow.Line();
        l.text = Bin.readString(in);
        l.hash = in.readLong();
        l.cut = in.readBoolean();
        int exact = in.readInt();
        for (int k = 0; k < exact; k++) {
          l.exact.add(readEvent(in));
        }
        int buckets = in.readInt();
        for (int k = 0; k < buckets; k++) {
          DeviceWindow.Bucket b = new DeviceWindow.Bucket();
          b.start = in.readLong();
          b.count = in.readLong();
          b.minTs = in.readLong();
          b.maxTs = in.readLong();
          b.partial = in.readBoolean();
          b.sample = readEvent(in);
          if (v == VERSION) {
            int seen = in.readInt();
            for (int n = 0; n < seen; n++) {
              b.seen.add(
                  new DeviceWindow.Seen(
                      in.readByte(), Bin.readString(in), in.readLong(), in.readLong()));
            }
            b.seenCut = in.readBoolean();
          } else {
            DeviceWindow.remember(b, b.sample);
          }
          l.buckets.add(b);
        }
        w.lines.add(l);
      }
      return w;
    } catch (IOException e) {
      throw new SerializationException("corrupt window state", e);
    }
  }
}
