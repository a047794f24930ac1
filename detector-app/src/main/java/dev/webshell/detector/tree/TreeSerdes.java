package dev.webshell.detector.tree;

import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.event.ProcessLineage;
import dev.webshell.detector.serde.Bin;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The internal formats of the process tree, version byte first: the repartition topic's {@link
 * TreeInput} (also what a child waiting for its parent is kept as) and the tree store's {@link
 * Node}. Only the columns the rule and the alert read travel.
 */
public final class TreeSerdes {
  private static final byte INPUT_VERSION = 1;
  private static final byte NODE_VERSION = 1;
  private static final byte WAITING_VERSION = 1;

  private TreeSerdes() {}

  public static Serde<TreeInput> input() {
    return Serdes.serdeFrom(
        (topic, v) -> v == null ? null : writeInput(v),
        (topic, b) -> b == null ? null : readInput(b));
  }

  /** A child waiting for its parent's creation: since when (wall clock), then the record. */
  public static Serde<ProcessTree.Waiting> waiting() {
    return Serdes.serdeFrom(
        (topic, v) -> v == null ? null : writeWaiting(v),
        (topic, b) -> b == null ? null : readWaiting(b));
  }

  static byte[] writeWaiting(ProcessTree.Waiting w) {
    byte[] input = writeInput(w.input());
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 + 8 + input.length);
    b.put(WAITING_VERSION).putLong(w.sinceMillis()).put(input);
    return b.array();
  }

  static ProcessTree.Waiting readWaiting(byte[] bytes) {
    if (bytes.length < 9 || bytes[0] != WAITING_VERSION) {
      throw new SerializationException("unknown or corrupt waiting-child record");
    }
    long since = java.nio.ByteBuffer.wrap(bytes, 1, 8).getLong();
    return new ProcessTree.Waiting(
        since, readInput(java.util.Arrays.copyOfRange(bytes, 9, bytes.length)));
  }

  public static Serde<Node> node() {
    return Serdes.serdeFrom(
        (topic, v) -> v == null ? null : writeNode(v),
        (topic, b) -> b == null ? null : readNode(b));
  }

  static byte[] writeInput(TreeInput t) {
    ProcessEvent e = t.event();
    Bin.Buffer buf = new Bin.Buffer(256);
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.writeByte(INPUT_VERSION);
      out.writeLong(t.streamTimeMicros());
      out.writeBoolean(t.aheadOfClock());
      out.writeLong(t.ingestMillis());
      out.writeLong(e.timestampMicros());
      Bin.writeString(out, e.deviceId());
      Bin.writeString(out, e.deviceName());
      Bin.writeString(out, e.fileName());
      Bin.writeString(out, e.processCommandLine());
      Bin.writeString(out, e.initiatingProcessFileName());
      Bin.writeString(out, e.initiatingProcessCommandLine());
      Bin.writeLong(out, e.reportId());
      Bin.writeLong(out, e.processId());
      Bin.writeString(out, e.accountName());
      ProcessLineage l = e.lineage();
      out.writeByte(l.kind().ordinal());
      Bin.writeString(out, l.processKey());
      Bin.writeString(out, l.parentProcessKey());
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return buf.toByteArray();
  }

  static TreeInput readInput(byte[] bytes) {
    try (DataInputStream in = Bin.reader(bytes)) {
      byte v = in.readByte();
      if (v != INPUT_VERSION) {
        throw new SerializationException("unknown process-tree record version " + v);
      }
      long streamTime = in.readLong();
      boolean ahead = in.readBoolean();
      long ingest = in.readLong();
      long ts = in.readLong();
      String deviceId = Bin.readString(in);
      String deviceName = Bin.readString(in);
      String fileName = Bin.readString(in);
      String cmd = Bin.readString(in);
      String initiatingFileName = Bin.readString(in);
      String initiatingCommandLine = Bin.readString(in);
      Long reportId = Bin.readLong(in);
      Long processId = Bin.readLong(in);
      String account = Bin.readString(in);
      ProcessLineage.KeyKind kind = ProcessLineage.KeyKind.values()[in.readByte()];
      ProcessLineage lineage = new ProcessLineage(kind, Bin.readString(in), Bin.readString(in));
      ProcessEvent e =
          new ProcessEvent(
              ts,
              deviceId,
              deviceName,
              fileName,
              cmd,
              initiatingFileName,
              null,
              initiatingCommandLine,
              null,
              null,
              reportId,
              processId,
              account,
              null,
              null,
              lineage);
      return new TreeInput(e, streamTime, ahead, ingest);
    } catch (IOException | RuntimeException ex) {
      throw new SerializationException("corrupt process-tree record", ex);
    }
  }

  static byte[] writeNode(Node n) {
    Bin.Buffer buf = new Bin.Buffer(64);
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.writeByte(NODE_VERSION);
      out.writeLong(n.lastUsedMicros);
      out.writeInt(n.creations.size());
      for (Node.Creation c : n.creations) {
        out.writeLong(c.timestampMicros());
        Bin.writeString(out, c.parentFileName());
        Bin.writeString(out, c.parentCommandLine());
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return buf.toByteArray();
  }

  static Node readNode(byte[] bytes) {
    try (DataInputStream in = Bin.reader(bytes)) {
      byte v = in.readByte();
      if (v != NODE_VERSION) {
        throw new SerializationException("unknown process-tree node version " + v);
      }
      Node n = new Node();
      n.lastUsedMicros = in.readLong();
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        n.creations.add(new Node.Creation(in.readLong(), Bin.readString(in), Bin.readString(in)));
      }
      return n;
    } catch (IOException ex) {
      throw new SerializationException("corrupt process-tree node", ex);
    }
  }
}
