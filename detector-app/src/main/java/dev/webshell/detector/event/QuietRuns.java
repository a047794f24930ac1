package dev.webshell.detector.event;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The record that stands for a run of input records which can neither match the rule nor matter to
 * a process tree: it carries only what they change, each event's Timestamp (for stream time) and
 * their format and skipped categories (for the metrics). The detector's consumer writes it in their
 * place before Kafka Streams sees them, so that Kafka Streams' per-record work is paid once per
 * run.
 *
 * <p>Its bytes start with a secret drawn when the detector starts: no record an input topic holds
 * can pass for one, so nobody can forge stream time with it. Each detector process has its own.
 */
public final class QuietRuns {
  private static final byte MARK = 0x7f;
  private static final int SECRET_BYTES = 16;

  /** Decoded records the consumer could not fold, at most this many per thread. */
  static final int MAX_HANDED = 16_384;

  private final byte[] secret;

  /**
   * The records of each stream thread that its consumer decoded but could not fold, by their value
   * array's identity (arrays do not override {@code equals}), so that Kafka Streams, which reads
   * them on the same thread, does not decode them again. Kafka Streams buffers at most a thousand
   * records per partition; a record it drops unread (a revoked partition) leaves after {@link
   * #MAX_HANDED} newer ones, and one it reads after that is decoded again.
   */
  private final ThreadLocal<Map<byte[], Decoded>> handed =
      ThreadLocal.withInitial(
          () ->
              new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<byte[], Decoded> eldest) {
                  return size() > MAX_HANDED;
                }
              });

  QuietRuns(byte[] secret) {
    if (secret.length != SECRET_BYTES) {
      throw new IllegalArgumentException("the secret has " + SECRET_BYTES + " bytes");
    }
    this.secret = secret.clone();
  }

  public static QuietRuns withRandomSecret() {
    byte[] s = new byte[SECRET_BYTES];
    new SecureRandom().nextBytes(s);
    return new QuietRuns(s);
  }

  /** The record for {@code n} events of {@code format} and the categories skipped among them. */
  public byte[] encode(String format, long[] timestamps, int n, List<String> skipped) {
    byte[] f = format.getBytes(StandardCharsets.UTF_8);
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String s : skipped) {
      counts.merge(s, 1, Integer::sum);
    }
    List<byte[]> names = new ArrayList<>(counts.size());
    int size = 1 + SECRET_BYTES + 4 + f.length + 4 + 8 * n + 4;
    for (String s : counts.keySet()) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      names.add(b);
      size += 4 + b.length + 4;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(MARK).put(secret).putInt(f.length).put(f).putInt(n);
    for (int i = 0; i < n; i++) {
      out.putLong(timestamps[i]);
    }
    out.putInt(names.size());
    int i = 0;
    for (int count : counts.values()) {
      byte[] b = names.get(i++);
      out.putInt(b.length).put(b).putInt(count);
    }
    return out.array();
  }

  /** Keeps what a record that passes unchanged decoded to, for this thread's {@link #decode}. */
  public void hand(byte[] value, Decoded decoded) {
    handed.get().put(value, decoded);
  }

  /**
   * The run {@code data} stands for, or what this thread's consumer decoded it to ({@link #hand}),
   * or {@code null}: then it is to be decoded.
   */
  public Decoded decode(byte[] data) {
    if (data == null) {
      return null;
    }
    Map<byte[], Decoded> mine = handed.get();
    if (!mine.isEmpty()) {
      Decoded d = mine.remove(data);
      if (d != null) {
        return d;
      }
    }
    if (data.length < 1 + SECRET_BYTES || data[0] != MARK) {
      return null;
    }
    for (int i = 0; i < SECRET_BYTES; i++) {
      if (data[1 + i] != secret[i]) {
        return null;
      }
    }
    ByteBuffer in = ByteBuffer.wrap(data, 1 + SECRET_BYTES, data.length - 1 - SECRET_BYTES);
    String format = string(in);
    long[] timestamps = new long[in.getInt()];
    for (int i = 0; i < timestamps.length; i++) {
      timestamps[i] = in.getLong();
    }
    int names = in.getInt();
    List<String> skipped = new ArrayList<>();
    for (int i = 0; i < names; i++) {
      String s = string(in);
      for (int c = in.getInt(); c > 0; c--) {
        skipped.add(s);
      }
    }
    return new Decoded(format, List.of(), List.of(), skipped, timestamps);
  }

  private static String string(ByteBuffer in) {
    byte[] b = new byte[in.getInt()];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
