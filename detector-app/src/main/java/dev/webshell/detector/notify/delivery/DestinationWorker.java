package dev.webshell.detector.notify.delivery;

import dev.webshell.detector.notify.NotifyMetrics;
import dev.webshell.detector.notify.destination.Action;
import dev.webshell.detector.notify.destination.Destination;
import dev.webshell.detector.notify.destination.Notification;
import dev.webshell.detector.notify.state.DeliveryState;
import dev.webshell.detector.notify.state.DeliveryState.Phase;
import dev.webshell.detector.notify.state.StateStore;
import dev.webshell.detector.siem.AlertSummary;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alert revisions to one destination, in the order they were consumed, on its own thread
 * (a slow or failing service holds back only itself). Per alert: the first revision triggers, later
 * ones update at most once per update interval (the latest held revision is sent when the interval
 * is over), the closing one resolves. What was delivered is stored before the job is done, so a
 * restart re-reading the same records sends nothing twice, and never a trigger after a resolve.
 */
public final class DestinationWorker implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger("notify");
  private static final Duration TICK = Duration.ofMillis(100);

  /** How one delivery ended. */
  enum Result {
    SENT,
    REFUSED,
    ABANDONED
  }

  private final Destination destination;
  private final RateLimit rateLimit;
  private final RetryPolicy retry;
  private final HttpSender sender;
  private final StateStore states;
  private final NotificationDeadLetters deadLetters;
  private final NotifyMetrics metrics;
  private final Duration updateInterval;
  private final Clock clock;
  private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();

  /** Updates held back by the interval: alertId → the job of its latest revision. */
  private final Map<String, Job> pending = new LinkedHashMap<>();

  private volatile boolean stopping;
  private volatile Job current;
  private volatile Throwable failure;

  public DestinationWorker(
      Destination destination,
      RateLimit rateLimit,
      RetryPolicy retry,
      HttpSender sender,
      StateStore states,
      NotificationDeadLetters deadLetters,
      NotifyMetrics metrics,
      Duration updateInterval,
      Clock clock) {
    this.destination = destination;
    this.rateLimit = rateLimit;
    this.retry = retry;
    this.sender = sender;
    this.states = states;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.updateInterval = updateInterval;
    this.clock = clock;
    metrics.destination(destination.name());
  }

  public String name() {
    return destination.name();
  }

  public void submit(Job job) {
    queue.add(job);
  }

  /** Finish the attempt in progress, start no other. */
  public void stop() {
    stopping = true;
  }

  /** Whether this worker is busy with a record of a revoked partition. */
  public boolean busyWithRevoked() {
    Job j = current;
    return j != null && j.revoked();
  }

  /** The error that stopped the worker, or null. */
  public Throwable failure() {
    return failure;
  }

  @Override
  public void run() {
    try {
      while (!stopping) {
        Job job = queue.poll(TICK.toMillis(), TimeUnit.MILLISECONDS);
        if (job != null) {
          work(job);
        }
        sendDueUpdates();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      failure = e;
      LOG.error("{} worker stopped: {}", destination.name(), e.toString());
    }
  }

  private void work(Job job) throws InterruptedException {
    if (job.revoked()) {
      return;
    }
    current = job;
    try {
      handle(job);
    } finally {
      current = null;
    }
  }

  private void handle(Job job) throws InterruptedException {
    String id = job.alert().getAlertId();
    DeliveryState s = states.get(destination.name(), id);
    boolean closing = AlertSummary.isClosed(job.alert());
    if (s != null && s.phase() == Phase.CLOSED) {
      skip(job, "after-resolve");
      return;
    }
    if (s != null && s.phase() == Phase.CLOSING) {
      if (closing) {
        resolve(job);
      } else {
        skip(job, "after-resolve");
      }
      return;
    }
    if (closing) {
      dropPending(id);
      if (s == null || !s.opened()) {
        // an alert never paged here (notify started later, or the trigger was refused): it is
        // paged once, with its final figures, then resolved
        Result r = deliver(job, Action.TRIGGER);
        if (r == Result.ABANDONED || !store(job, open(job, r == Result.SENT, s))) {
          return;
        }
      }
      long now = clock.millis();
      DeliveryState latest = states.get(destination.name(), id);
      if (!store(
          job,
          new DeliveryState(
              Phase.CLOSING,
              job.alert().getRevision(),
              latest != null && latest.opened(),
              latest == null ? 0 : latest.sentAtMillis(),
              now))) {
        return;
      }
      resolve(job);
      return;
    }
    if (s != null && job.alert().getRevision() <= s.revision()) {
      skip(job, "delivered");
      return;
    }
    if (s == null || !s.opened()) {
      dropPending(id);
      Result r = deliver(job, Action.TRIGGER);
      if (r != Result.ABANDONED && store(job, open(job, r == Result.SENT, s))) {
        job.done();
      }
      return;
    }
    Job replaced = pending.put(id, job);
    if (replaced != null) {
      skip(replaced, "superseded");
    } else {
      metrics.pendingUpdates(1);
    }
  }

  /** The state after a trigger: opened when it was accepted. */
  private DeliveryState open(Job job, boolean opened, DeliveryState before) {
    boolean wasOpened = before != null && before.opened();
    return new DeliveryState(
        Phase.OPEN, job.alert().getRevision(), opened || wasOpened, clock.millis(), 0);
  }

  private void resolve(Job job) throws InterruptedException {
    Result r = deliver(job, Action.RESOLVE);
    if (r == Result.ABANDONED) {
      return;
    }
    DeliveryState s = states.get(destination.name(), job.alert().getAlertId());
    if (store(
        job,
        new DeliveryState(
            Phase.CLOSED,
            job.alert().getRevision(),
            s != null && s.opened(),
            s == null ? 0 : s.sentAtMillis(),
            s == null || s.closedAtMillis() == 0 ? clock.millis() : s.closedAtMillis()))) {
      job.done();
    }
  }

  private void dropPending(String alertId) {
    Job p = pending.remove(alertId);
    if (p != null) {
      metrics.pendingUpdates(-1);
      skip(p, "superseded");
    }
  }

  private void sendDueUpdates() throws InterruptedException {
    if (pending.isEmpty()) {
      return;
    }
    long now = clock.millis();
    for (Iterator<Map.Entry<String, Job>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Job> e = it.next();
      Job job = e.getValue();
      if (job.revoked()) {
        it.remove();
        metrics.pendingUpdates(-1);
        continue;
      }
      DeliveryState s = states.get(destination.name(), e.getKey());
      if (s != null && now < s.sentAtMillis() + updateInterval.toMillis()) {
        continue;
      }
      it.remove();
      metrics.pendingUpdates(-1);
      current = job;
      try {
        if (s != null && s.phase() != Phase.OPEN) {
          skip(job, "after-resolve");
          continue;
        }
        Result r = deliver(job, Action.UPDATE);
        if (r != Result.ABANDONED
            && store(
                job,
                new DeliveryState(
                    Phase.OPEN, job.alert().getRevision(), true, clock.millis(), 0))) {
          job.done();
        }
      } finally {
        current = null;
      }
      if (stopping) {
        return;
      }
    }
  }

  private void skip(Job job, String reason) {
    metrics.skipped(destination.name(), reason);
    job.done();
  }

  private boolean abandon(Job job) {
    return stopping || job.revoked();
  }

  /** Sends until accepted or refused; ABANDONED when stopping or the partition was revoked. */
  Result deliver(Job job, Action action) throws InterruptedException {
    Notification n = new Notification(action, job.alert());
    for (int attempt = 1; ; attempt++) {
      if (!waitForRateLimit(job)) {
        return Result.ABANDONED;
      }
      Destination.Request request = destination.request(n);
      long t0 = System.nanoTime();
      Outcome o = sender.send(request);
      long t1 = System.nanoTime();
      // counted when the answer is in: the next request then starts a full window after this one
      // reached the service, whatever the network's jitter, so the service never sees more
      rateLimit.record(t1);
      metrics.requestTime(destination.name(), Duration.ofNanos(t1 - t0));
      if (o.accepted()) {
        metrics.sent(destination.name(), action.label());
        LOG.info("{} {}: accepted ({})", destination.name(), n.describe(), o.status());
        return Result.SENT;
      }
      if (!o.retryable()) {
        metrics.failed(destination.name(), o.status());
        LOG.error(
            "{} {}: refused ({}); written to {}",
            destination.name(),
            n.describe(),
            o.describe(),
            deadLetters.topic());
        while (true) {
          try {
            deadLetters.refused(
                job.source(), destination.name(), n, destination.redact(request.body()), o);
            return Result.REFUSED;
          } catch (NotificationDeadLetters.DeadLetterWriteException e) {
            LOG.warn("{}; retrying", e.getMessage());
            if (!sleep(job, Duration.ofSeconds(1))) {
              return Result.ABANDONED;
            }
          }
        }
      }
      metrics.retried(destination.name(), o.reason());
      Duration wait = retry.backoff(attempt, o.retryAfter());
      LOG.warn(
          "{} {}: {}; attempt {} failed, retrying in {} ms",
          destination.name(),
          n.describe(),
          o.describe(),
          attempt,
          wait.toMillis());
      if (!sleep(job, wait)) {
        return Result.ABANDONED;
      }
    }
  }

  private boolean waitForRateLimit(Job job) throws InterruptedException {
    while (true) {
      if (abandon(job)) {
        return false;
      }
      Duration wait = rateLimit.waitTime(System.nanoTime());
      if (wait.isZero()) {
        return true;
      }
      if (!sleep(job, wait)) {
        return false;
      }
    }
  }

  /** Sleeps in ticks; false when stopping or the partition was revoked meanwhile. */
  private boolean sleep(Job job, Duration d) throws InterruptedException {
    long end = System.nanoTime() + d.toNanos();
    while (true) {
      if (abandon(job)) {
        return false;
      }
      long left = end - System.nanoTime();
      if (left <= 0) {
        return true;
      }
      Thread.sleep(Math.max(1, Math.min(TICK.toMillis(), TimeUnit.NANOSECONDS.toMillis(left))));
    }
  }

  /** Stores a state, retrying while the topic cannot be written; false if abandoned meanwhile. */
  private boolean store(Job job, DeliveryState state) throws InterruptedException {
    while (true) {
      try {
        states.put(destination.name(), job.alert().getAlertId(), state);
        return true;
      } catch (StateStore.StateWriteException e) {
        LOG.warn("{}; retrying", e.getMessage());
        if (!sleep(job, Duration.ofSeconds(1))) {
          return false;
        }
      }
    }
  }
}
