package dev.webshell.detector.window;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * When each open alert closes: its window empties once stream time reaches {@code lastSeen +
 * lookback}. Kept as an index ordered by that time, so that finding the windows due at a given
 * stream time reads only those, not every device's window.
 *
 * <p>Key: the close time in microseconds, sign bit flipped, 8 bytes big-endian (so that the byte
 * order of the store is the numeric order), then the DeviceId in UTF-8. Value: one version byte.
 */
public final class ClosingSchedule {
  static final byte VERSION = 1;
  private static final byte[] VALUE = {VERSION};

  private final KeyValueStore<Bytes, byte[]> store;

  /** The earliest close time in the store, {@code Long.MAX_VALUE} when none; null: not known. */
  private Long next;

  public ClosingSchedule(KeyValueStore<Bytes, byte[]> store) {
    this.store = store;
  }

  /** One scheduled close. */
  public record Due(long closeAtMicros, String deviceId) {}

  static Bytes key(long closeAtMicros, String deviceId) {
    byte[] id = deviceId.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(
        ByteBuffer.allocate(8 + id.length).putLong(closeAtMicros ^ Long.MIN_VALUE).put(id).array());
  }

  static Due parse(Bytes key) {
    ByteBuffer b = ByteBuffer.wrap(key.get());
    long at = b.getLong() ^ Long.MIN_VALUE;
    byte[] id = new byte[b.remaining()];
    b.get(id);
    return new Due(at, new String(id, StandardCharsets.UTF_8));
  }

  public void put(String deviceId, long closeAtMicros) {
    store.put(key(closeAtMicros, deviceId), VALUE);
    if (next != null && closeAtMicros < next) {
      next = closeAtMicros;
    }
  }

  public void remove(String deviceId, long closeAtMicros) {
    store.delete(key(closeAtMicros, deviceId));
  }

  /**
   * The closes due at {@code streamTimeMicros} (close time at or before it), earliest first (ties
   * by DeviceId), removed from the schedule. Reads the store only when one can be due.
   */
  public List<Due> takeDue(long streamTimeMicros) {
    if (next == null) {
      next = first();
    }
    if (streamTimeMicros < next) {
      return List.of();
    }
    List<Due> due = new ArrayList<>();
    // every key of a close time up to streamTimeMicros sorts before this one
    Bytes to = streamTimeMicros == Long.MAX_VALUE ? null : key(streamTimeMicros + 1, "");
    try (KeyValueIterator<Bytes, byte[]> it = store.range(null, to)) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        Due d = parse(kv.key);
        if (d.closeAtMicros() > streamTimeMicros) {
          break;
        }
        due.add(d);
      }
    }
    for (Due d : due) {
      remove(d.deviceId(), d.closeAtMicros());
    }
    next = first();
    return due;
  }

  private long first() {
    try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
      return it.hasNext() ? parse(it.next().key).closeAtMicros() : Long.MAX_VALUE;
    }
  }
}
