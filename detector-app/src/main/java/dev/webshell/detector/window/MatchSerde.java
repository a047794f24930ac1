package dev.webshell.detector.window;

import dev.webshell.detector.serde.Bin;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The repartition topic's value format (internal; version byte first). Version 2 added the source
 * task's stream time and the ahead-of-clock flag after the version byte; version 1 records (written
 * before an upgrade, still in the topic) are read with the event's own time as stream time, which
 * is what version 1's record timestamp carried.
 */
public final class MatchSerde implements Serde<Match> {
  private static final byte V1 = 1;
  private static final byte VERSION = 2;

  @Override
  public Serializer<Match> serializer() {
    return (topic, m) -> m == null ? null : write(m);
  }

  @Override
  public Deserializer<Match> deserializer() {
    return (topic, bytes) -> bytes == null ? null : read(bytes);
  }

  static byte[] write(Match m) {
    Bin.Buffer buf = new Bin.Buffer(256 + m.commandLine().length());
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.writeByte(VERSION);
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

  static Match read(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte v = in.readByte();
      if (v != VERSION && v != V1) {
        throw new SerializationException("unknown match format version " + v);
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
      throw new SerializationException("corrupt match record", e);
    }
  }
}
