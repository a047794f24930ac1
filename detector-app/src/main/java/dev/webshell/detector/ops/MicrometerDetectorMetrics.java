package dev.webshell.detector.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The detector's own series (Prometheus names: {@code detector_*}). */
public final class MicrometerDetectorMetrics implements DetectorMetrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> events = new ConcurrentHashMap<>();
  private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
  private final Map<String, Counter> skipped = new ConcurrentHashMap<>();
  private final Counter matches;
  private final Counter alerts;
  private final Counter late;
  private final Counter ahead;
  private final Counter closed;
  private final Counter resolvedNow;
  private final Counter resolvedAfterWait;
  private final Counter orphansExpired;
  private final Counter orphansWaitingFull;
  private final Timer fromEventTime;
  private final Timer fromIngestion;

  public MicrometerDetectorMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.matches =
        Counter.builder("detector.matches")
            .description("Events that match the rule")
            .register(registry);
    this.alerts =
        Counter.builder("detector.alerts")
            .description("Alert revisions emitted")
            .register(registry);
    this.late =
        Counter.builder("detector.late.events.dropped")
            .description(
                "Matches outside the lookback (stream time - lookback) or the device window")
            .register(registry);
    this.ahead =
        Counter.builder("detector.events.ahead.of.clock")
            .description(
                "Events dated later than the detector's clock plus its tolerance (a wrong clock or"
                    + " a forged event); they never advance stream time")
            .register(registry);
    this.closed =
        Counter.builder("detector.alerts.closed")
            .description("Closing revisions: a device's window emptied (7 days without a match)")
            .register(registry);
    this.resolvedNow = lineage("now");
    this.resolvedAfterWait = lineage("after_wait");
    this.orphansExpired = orphans("expired");
    this.orphansWaitingFull = orphans("waiting_full");
    this.fromEventTime = latency("event_time");
    this.fromIngestion = latency("ingestion");
    // the main series are visible at zero before the first record arrives
    for (String format : new String[] {"json", "envelope", "avro"}) {
      events.put(
          format,
          Counter.builder("detector.events")
              .description("Events read, by input format")
              .tag("format", format)
              .register(registry));
    }
  }

  private Counter lineage(String when) {
    return Counter.builder("detector.process.tree.matches")
        .description("Windows process creations matched through the host's process tree")
        .tag("resolved", when)
        .register(registry);
  }

  @Override
  public void lineageResolved(boolean waited) {
    (waited ? resolvedAfterWait : resolvedNow).increment();
  }

  @Override
  public void orphaned(boolean waitingFull) {
    (waitingFull ? orphansWaitingFull : orphansExpired).increment();
  }

  private Counter orphans(String reason) {
    return Counter.builder("detector.process.tree.orphans")
        .description(
            "Shells dropped without their grandparent: their parent's creation was not read within"
                + " the wait (expired), or too many children already waited (waiting_full)")
        .tag("reason", reason)
        .register(registry);
  }

  private Timer latency(String from) {
    return Timer.builder("detector.event.to.alert.latency")
        .description("From the event's Timestamp (or from when the detector read it) to emission")
        .tag("from", from)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofHours(1))
        .register(registry);
  }

  @Override
  public void event(String format) {
    events
        .computeIfAbsent(
            format,
            f ->
                Counter.builder("detector.events")
                    .description("Events read, by input format")
                    .tag("format", f)
                    .register(registry))
        .increment();
  }

  @Override
  public void skippedCategory(String category) {
    skipped
        .computeIfAbsent(
            category,
            c ->
                Counter.builder("detector.skipped.records")
                    .description("Records of other categories, event types or providers, skipped")
                    .tag("category", c)
                    .register(registry))
        .increment();
  }

  @Override
  public void match() {
    matches.increment();
  }

  @Override
  public void lateDropped() {
    late.increment();
  }

  @Override
  public void alertClosed() {
    closed.increment();
  }

  @Override
  public void aheadOfClock() {
    ahead.increment();
  }

  @Override
  public void alert(long eventMicros, long ingestMillis, long nowMillis) {
    alerts.increment();
    fromEventTime.record(Duration.ofMillis(Math.max(0, nowMillis - eventMicros / 1000)));
    fromIngestion.record(Duration.ofMillis(Math.max(0, nowMillis - ingestMillis)));
  }

  @Override
  public void deadLetter(String reason) {
    deadLetters
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("detector.dead.letters")
                    .description("Records sent to the dead-letter topic, by reason")
                    .tag("reason", r)
                    .register(registry))
        .increment();
  }
}
