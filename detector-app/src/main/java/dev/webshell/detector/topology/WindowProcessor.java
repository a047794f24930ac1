package dev.webshell.detector.topology;

import dev.webshell.detector.ops.DetectorMetrics;
import dev.webshell.detector.ops.Version;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.window.AlertBuilder;
import dev.webshell.detector.window.DeviceWindow;
import dev.webshell.detector.window.Match;
import dev.webshell.schema.WebShellAlert;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Per-device side: adds each match to the device's window and emits a revision when the set of
 * distinct command lines changed (SPEC section 4). The alert payload depends on the input only;
 * processing time, host and version travel as headers.
 */
final class WindowProcessor implements Processor<String, Match, String, WebShellAlert> {
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

  /** The newest source stream time seen in a match; the forgetting of silent devices runs on it. */
  private long streamTime = Long.MIN_VALUE;

  private long nextPurge = Long.MIN_VALUE;

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
  }

  @Override
  public void process(Record<String, Match> record) {
    Match m = record.value();
    String deviceId = record.key();
    advance(m.streamTimeMicros());
    DeviceWindow w = store.get(deviceId);
    if (w == null) {
      w = new DeviceWindow();
    }
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
    if (outcome == DeviceWindow.Outcome.EMIT) {
      WebShellAlert alert = AlertBuilder.build(deviceId, w, rule);
      long now = context.currentSystemTimeMs();
      RecordHeaders headers = new RecordHeaders();
      headers.add(
          HEADER_PROCESSED_AT,
          Instant.ofEpochMilli(now).toString().getBytes(StandardCharsets.UTF_8));
      headers.add(HEADER_HOST, host.getBytes(StandardCharsets.UTF_8));
      headers.add(HEADER_VERSION, Version.get().getBytes(StandardCharsets.UTF_8));
      context.forward(new Record<>(deviceId, alert, now, headers));
      metrics.alert(m.timestampMicros(), m.ingestMillis(), now);
    }
  }

  /**
   * Forgets devices silent for two lookbacks of stream time, once per hour of it; their next match
   * opens a new alert either way, so this never changes an alert, it only bounds the store. Stream
   * time comes from the matches' payload (the record timestamps are wall-clock times), so a replay
   * forgets the same devices at the same points as the live run.
   */
  private void advance(long sourceStreamTime) {
    if (sourceStreamTime <= streamTime) {
      return;
    }
    streamTime = sourceStreamTime;
    if (streamTime >= nextPurge) {
      if (nextPurge != Long.MIN_VALUE) {
        purge(streamTime);
      }
      nextPurge = (Math.floorDiv(streamTime, HOUR_MICROS) + 1) * HOUR_MICROS;
    }
  }

  private void purge(long streamTimeMicros) {
    long horizon = streamTimeMicros - 2 * lookbackMicros;
    List<String> silent = new ArrayList<>();
    try (KeyValueIterator<String, DeviceWindow> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, DeviceWindow> kv = it.next();
        if (kv.value.windowEnd() <= horizon) {
          silent.add(kv.key);
        }
      }
    }
    silent.forEach(store::delete);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
