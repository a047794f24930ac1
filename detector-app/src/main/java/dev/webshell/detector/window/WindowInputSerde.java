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
 * The repartition topic's value format (internal; version byte first).
 *
 * <ul>
 *   <li>Version 1: a match.
 *   <li>Version 2: a kind byte (0 a match, 1 a source's progress), then the source task's stream
 *       time; a match then has its ahead-of-clock flag and version 1's fields.
 * </ul>
 *
 * Version 1 records (written before an upgrade, still in the topic) are read as matches whose
 * stream time is their own event time, which is what version 1's record timestamp carried.
 */
public final class WindowInputSerde implements Serde<WindowInput> {
  private static final byte V1 = 1;
  private static final byte VERSION = 2;
  private static final byte MATCH = 0;
  private static final byte PROGRESS = 1;

  @Override
  public Serializer<WindowInput> serializer() {
    return (topic, v) -> v == null ? null : write(v);
  }

  @Override
  public Deserializer<WindowInput> deserializer() {
    return (topic, bytes) -> bytes == null ? null : read(bytes);
  }

  static byte[] write(WindowInput v) {
    if (v instanceof Progress p) {
      Bin.Buffer buf = new Bin.Buffer(10);
      try (DataOutputStream out = new DataOutputStream(buf)) {
        out.writeByte(VERSION);
        out.writeByte(PROGRESS);
        out.writeLong(p.streamTimeMicros());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return buf.toByteArray();
    }
    Match m = (Match) v;
    Bin.Buffer buf = new Bin.Buffer(256 + m.commandLine().length());
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.writeByte(VERSION);
      out.writeByte(MATCH);
      out.writeLong(m.streamTimeMicros());
      out.writeBoolean(m.aheadOfClock());
      out.writeLong(m.timestampMicros());
      Bin.writeString(out, m.deviceId());
      Bin.writeString(out, m.deviceName());
      Bin.writeString(out, m.fileName());
      Bin.writeString(out, m.commandLine());
      out.writeLong(m.commandLineHash());
      out.writeBoolean(m.commandLineCut());
      Bin.writeString(out, m.initiatingProcessFileName());
      Bin.writeString(out, m.initiatingProcessParentFileName());
      Bin.writeLong(out, m.reportId());
      Bin.writeLong(out, m.processId());
      Bin.writeString(out, m.accountName());
      out.writeLong(m.ingestMillis());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  static WindowInput read(byte[] bytes) {
    try (DataInputStream in = Bin.reader(bytes)) {
      byte v = in.readByte();
      if (v != VERSION && v != V1) {
        throw new SerializationException("unknown repartition record version " + v);
      }
      byte kind = v == V1 ? MATCH : in.readByte();
      if (kind == PROGRESS) {
        return new Progress(in.readLong());
      }
      if (kind != MATCH) {
        throw new SerializationException("unknown repartition record kind " + kind);
      }
      long streamTime = v == V1 ? Long.MIN_VALUE : in.readLong();
      boolean ahead = v != V1 && in.readBoolean();
      long ts = in.readLong();
      return new Match(
          ts,
          Bin.readString(in),
          Bin.readString(in),
          Bin.readString(in),
          Bin.readString(in),
          in.readLong(),
          in.readBoolean(),
          Bin.readString(in),
          Bin.readString(in),
          Bin.readLong(in),
          Bin.readLong(in),
          Bin.readString(in),
          in.readLong(),
          v == V1 ? ts : streamTime,
          ahead);
    } catch (IOException e) {
      throw new SerializationException("corrupt repartition record", e);
    }
  }
}
