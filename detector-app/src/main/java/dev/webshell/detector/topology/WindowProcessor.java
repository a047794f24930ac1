package dev.webshell.detector.topology;

import dev.webshell.detector.ops.DetectorMetrics;
import dev.webshell.detector.ops.Version;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.window.AlertBuilder;
import dev.webshell.detector.window.ClosingSchedule;
import dev.webshell.detector.window.DeviceWindow;
import dev.webshell.detector.window.Match;
import dev.webshell.detector.window.Progress;
import dev.webshell.detector.window.WindowInput;
import dev.webshell.schema.WebShellAlert;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Per-device side: adds each match to the device's window and emits a revision when the set of
 * distinct command lines changed, and closes the alert with one last revision when its window has
 * emptied (SPEC section 4). The alert payload depends on the input only; processing time, host and
 * version travel as headers.
 *
 * <p>A window empties when stream time reaches its {@code lastSeen + lookback}. Stream time here is
 * the newest source stream time carried by a match or a source's {@link Progress}, so a close does
 * not wait for a match of this task. A match that would itself empty its device's window (it is
 * that far ahead of the window's last match) closes the old alert before it opens a new one.
 */
final class WindowProcessor implements Processor<String, WindowInput, String, WebShellAlert> {
  static final String HEADER_PROCESSED_AT = "detector.processed-at";
  static final String HEADER_HOST = "detector.host";
  static final String HEADER_VERSION = "detector.version";
  private static final long HOUR_MICROS = 3_600_000_000L;

  private final RuleSpec rule;
  private final DetectorMetrics metrics;
  private final long lookbackMicros;
  private final String alertIdentity;
  private final String host;
  private ProcessorContext<String, WebShellAlert> context;
  private KeyValueStore<String, DeviceWindow> store;
  private ClosingSchedule closings;

  /** The newest source stream time seen; closes and the forgetting of old state run on it. */
  private long streamTime = Long.MIN_VALUE;

  private long nextSweep = Long.MIN_VALUE;

  WindowProcessor(RuleSpec rule, DetectorMetrics metrics) {
    this.rule = rule;
    this.metrics = metrics;
    this.lookbackMicros = rule.lookbackMicros();
    // The query's rule id for the kql profile (SPEC 4); other profiles and tuned rule files carry
    // the same id, so their profile joins it: their alerts never share an alertId with kql's.
    this.alertIdentity =
        "kql".equals(rule.profile()) ? rule.id() : rule.id() + "/" + rule.profile();
    this.host = hostName();
  }

  @Override
  public void init(ProcessorContext<String, WebShellAlert> context) {
    this.context = context;
    this.store = context.getStateStore(TopologyConfig.WINDOW_STORE);
    KeyValueStore<Bytes, byte[]> schedule = context.getStateStore(TopologyConfig.CLOSING_STORE);
    this.closings = new ClosingSchedule(schedule);
  }

  @Override
  public void process(Record<String, WindowInput> record) {
    advance(record.value().streamTimeMicros());
    if (!(record.value() instanceof Match m)) {
      return;
    }
    String deviceId = record.key();
    DeviceWindow w = store.get(deviceId);
    if (w != null && !w.isEmpty() && m.timestampMicros() >= closeAt(w)) {
      close(deviceId, w);
      w = null;
    }
    if (w == null) {
      w = new DeviceWindow();
    }
    long scheduled = w.isEmpty() ? Long.MIN_VALUE : closeAt(w);
    DeviceWindow.Outcome outcome =
        w.add(
            m,
            alertIdentity,
            lookbackMicros,
            rule.maxExactEventsPerCommandLine(),
            rule.maxTrackedCommandLines());
    if (outcome == DeviceWindow.Outcome.LATE) {
      metrics.lateDropped();
      return;
    }
    store.put(deviceId, w);
    if (closeAt(w) != scheduled) {
      if (scheduled != Long.MIN_VALUE) {
        closings.remove(deviceId, scheduled);
      }
      closings.put(deviceId, closeAt(w));
    }
    if (outcome == DeviceWindow.Outcome.EMIT) {
      long now = emit(deviceId, AlertBuilder.build(deviceId, w, rule));
      metrics.alert(m.timestampMicros(), m.ingestMillis(), now);
    }
  }

  private long closeAt(DeviceWindow w) {
    long at = w.windowEnd() + lookbackMicros;
    return at < w.windowEnd() ? Long.MAX_VALUE : at;
  }

  private void advance(long sourceStreamTime) {
    if (sourceStreamTime <= streamTime) {
      return;
    }
    streamTime = sourceStreamTime;
    for (ClosingSchedule.Due due : closings.takeDue(streamTime)) {
      DeviceWindow w = store.get(due.deviceId());
      if (w != null && !w.isEmpty() && closeAt(w) == due.closeAtMicros()) {
        close(due.deviceId(), w);
      }
    }
    if (streamTime >= nextSweep) {
      if (nextSweep != Long.MIN_VALUE) {
        sweep();
      }
      nextSweep = (Math.floorDiv(streamTime, HOUR_MICROS) + 1) * HOUR_MICROS;
    }
  }

  /** Emits the closing revision and forgets the device: its next match opens a new alert. */
  private void close(String deviceId, DeviceWindow w) {
    emit(deviceId, AlertBuilder.closing(deviceId, w, rule));
    metrics.alertClosed();
    store.delete(deviceId);
    closings.remove(deviceId, closeAt(w));
  }

  /**
   * Once per hour of stream time, closes the windows that have emptied but are not in the closing
   * schedule: state written by a version that kept none. With a complete schedule it finds nothing.
   */
  private void sweep() {
    List<KeyValue<String, DeviceWindow>> emptied = new ArrayList<>();
    try (KeyValueIterator<String, DeviceWindow> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, DeviceWindow> kv = it.next();
        if (!kv.value.isEmpty() && closeAt(kv.value) <= streamTime) {
          emptied.add(kv);
        }
      }
    }
    emptied.forEach(kv -> close(kv.key, kv.value));
  }

  private long emit(String deviceId, WebShellAlert alert) {
    long now = context.currentSystemTimeMs();
    RecordHeaders headers = new RecordHeaders();
    headers.add(
        HEADER_PROCESSED_AT, Instant.ofEpochMilli(now).toString().getBytes(StandardCharsets.UTF_8));
    headers.add(HEADER_HOST, host.getBytes(StandardCharsets.UTF_8));
    headers.add(HEADER_VERSION, Version.get().getBytes(StandardCharsets.UTF_8));
    context.forward(new Record<>(deviceId, alert, now, headers));
    return now;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
