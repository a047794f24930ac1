package dev.webshell.detector.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * notify's series (Prometheus: {@code notify_sent_total{destination,action}}, {@code
 * notify_retries_total{destination,reason}}, {@code notify_failed_total{destination,status}},
 * {@code notify_skipped_total{destination,reason}}, {@code notify_unreadable_total{reason}}, {@code
 * notify_lag_records}, {@code notify_pending_updates}, {@code notify_in_flight_records}, {@code
 * notify_request_seconds{destination}}).
 */
public final class NotifyMetrics {
  private final MeterRegistry registry;
  private final AtomicLong lag = new AtomicLong();
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();

  public NotifyMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("notify.lag.records", lag, AtomicLong::get)
        .description("Alert records not yet committed: end offset - committed offset")
        .register(registry);
    Gauge.builder("notify.pending.updates", pending, AtomicLong::get)
        .description("Updates held back by --update-interval")
        .register(registry);
    Gauge.builder("notify.in.flight.records", inFlight, AtomicLong::get)
        .description("Alert records consumed and not yet done by every destination")
        .register(registry);
  }

  /** A NotifyMetrics that registers nowhere visible (tests). */
  public static NotifyMetrics none() {
    return new NotifyMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  public void destination(String destination) {
    for (String action : new String[] {"trigger", "update", "resolve"}) {
      sentCounter(destination, action);
    }
  }

  private Counter sentCounter(String destination, String action) {
    return Counter.builder("notify.sent")
        .description("Notifications the destination accepted (2xx)")
        .tag("destination", destination)
        .tag("action", action)
        .register(registry);
  }

  public void sent(String destination, String action) {
    sentCounter(destination, action).increment();
  }

  public void retried(String destination, String reason) {
    Counter.builder("notify.retries")
        .description("Attempts that failed and will be retried (429, 5xx, connection)")
        .tag("destination", destination)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  public void failed(String destination, int status) {
    Counter.builder("notify.failed")
        .description("Notifications refused (4xx) and written to the dead-letter topic")
        .tag("destination", destination)
        .tag("status", Integer.toString(status))
        .register(registry)
        .increment();
  }

  public void skipped(String destination, String reason) {
    Counter.builder("notify.skipped")
        .description("Revisions not sent: already delivered, superseded, or after the close")
        .tag("destination", destination)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  public void unreadable(String reason) {
    Counter.builder("notify.unreadable")
        .description("Alert records notify cannot read, written to the dead-letter topic")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  public void requestTime(String destination, Duration d) {
    Timer.builder("notify.request")
        .description("Time of one HTTP attempt")
        .tag("destination", destination)
        .register(registry)
        .record(d);
  }

  public void lag(long records) {
    lag.set(records);
  }

  public void pendingUpdates(long delta) {
    pending.addAndGet(delta);
  }

  public void inFlight(long records) {
    inFlight.set(records);
  }
}
