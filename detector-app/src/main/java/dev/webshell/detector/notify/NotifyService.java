package dev.webshell.detector.notify;

import dev.webshell.detector.notify.delivery.DestinationWorker;
import dev.webshell.detector.notify.delivery.HttpSender;
import dev.webshell.detector.notify.delivery.Job;
import dev.webshell.detector.notify.delivery.NotificationDeadLetters;
import dev.webshell.detector.notify.delivery.RateLimit;
import dev.webshell.detector.notify.delivery.RetryPolicy;
import dev.webshell.detector.notify.delivery.Tracked;
import dev.webshell.detector.notify.destination.Destination;
import dev.webshell.detector.notify.source.AlertDecoder;
import dev.webshell.detector.notify.state.StateStore;
import dev.webshell.detector.ops.OpsServer;
import dev.webshell.detector.ops.RootCause;
import dev.webshell.detector.ops.Version;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.service.Preflight;
import dev.webshell.detector.service.StartupException;
import dev.webshell.detector.service.UntilStopped;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/detector notify}: reads the alerts topic with its own consumer group and pages. One
 * thread consumes, decodes and hands each alert record to one worker per destination; offsets are
 * committed only up to the first record some destination has not yet accepted, refused
 * (dead-lettered) or skipped. Delivery states live in a compacted topic (see {@link StateStore}).
 * SIGTERM finishes the requests in flight, commits what is done, leaves the group and exits 0.
 */
public final class NotifyService {
  private static final Logger LOG = LoggerFactory.getLogger("notify");

  /** How long a stop waits for requests in flight and the last commit. */
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration COMMIT_EVERY = Duration.ofMillis(500);
  private static final Duration STATE_READ_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration REGISTRY_RETRY = Duration.ofSeconds(5);
  private static final int MAX_IN_FLIGHT = 1000;

  /** A destination and how fast it may be called. */
  public record Target(Destination destination, RateLimit rateLimit) {}

  /** Everything {@code notify} is configured with. */
  public record Settings(
      Map<String, Object> clientConfig,
      String alertsTopic,
      String applicationId,
      String stateTopic,
      String deadLetterTopic,
      boolean createTopics,
      int partitions,
      short replicationFactor,
      RegistryConfig registry,
      List<Target> targets,
      Duration updateInterval,
      RetryPolicy retry,
      Duration httpTimeout,
      int metricsPort) {
    public Settings {
      Objects.requireNonNull(clientConfig, "clientConfig");
      targets = List.copyOf(targets);
      if (targets.isEmpty()) {
        throw new IllegalArgumentException(
            "no destination: give --pagerduty-routing-key-file, --opsgenie-api-key-file,"
                + " --slack-webhook-url-file or --webhook-url");
      }
    }
  }

  private final Settings s;
  private final Clock clock;

  public NotifyService(Settings settings) {
    this(settings, Clock.systemUTC());
  }

  public NotifyService(Settings settings, Clock clock) {
    this.s = settings;
    this.clock = clock;
  }

  /** Runs until SIGTERM (exit 0) or a fatal error (returns 1): {@link UntilStopped}. */
  public int run() {
    return UntilStopped.run(
        start(),
        LOG,
        "notify-shutdown",
        "finishing requests in flight, committing",
        CLOSE_TIMEOUT,
        "stopped");
  }

  /** Checks, loads the delivery states, starts consuming; the caller closes what it returns. */
  public Running start() {
    Map<String, Object> consumerBase = KafkaClients.consumer(s.clientConfig());
    Map<String, Object> producerBase = KafkaClients.producer(s.clientConfig());
    Duration keepClosed;
    try (Preflight preflight = new Preflight(s.clientConfig())) {
      String clusterId = preflight.checkBrokers();
      preflight.checkInputs(List.of(s.alertsTopic()), null);
      List<String> created =
          new ArrayList<>(
              preflight.checkOutputs(
                  List.of(s.deadLetterTopic()),
                  s.createTopics(),
                  s.partitions(),
                  s.replicationFactor()));
      preflight
          .smallRecordLimitsWarning(
              List.of(s.deadLetterTopic()),
              "a dead letter (the alert's own bytes)",
              "a larger one could not be written")
          .ifPresent(LOG::warn);
      if (ensureStateTopic(preflight.admin())) {
        created.add(s.stateTopic());
      }
      keepClosed = keepClosedStates(preflight.admin());
      LOG.info(
          "Kafka cluster {} at {}{}",
          clusterId,
          s.clientConfig().get("bootstrap.servers"),
          created.isEmpty() ? "" : "; created " + String.join(", ", created));
    }
    StateStore states = new StateStore(s.stateTopic(), consumerBase, producerBase);
    NotificationDeadLetters deadLetters =
        new NotificationDeadLetters(s.deadLetterTopic(), producerBase);
    try {
      states.catchUp(STATE_READ_TIMEOUT);
      int pruned = keepClosed == null ? 0 : states.prune(clock.instant(), keepClosed);
      LOG.info(
          "{} delivery states read from {}{}",
          states.size(),
          s.stateTopic(),
          pruned == 0 ? "" : " (" + pruned + " of alerts closed long ago deleted)");
    } catch (RuntimeException e) {
      states.close();
      deadLetters.close();
      throw new StartupException("cannot read delivery states: " + RootCause.message(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      states.close();
      deadLetters.close();
      throw new StartupException("interrupted while reading delivery states");
    }

    SchemaRegistryClient registry =
        s.registry() == null ? null : SchemaRegistryClients.create(s.registry());
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    NotifyMetrics metrics = new NotifyMetrics(meters);
    HttpSender sender = new HttpSender(s.httpTimeout(), clock);
    List<DestinationWorker> workers = new ArrayList<>();
    for (Target t : s.targets()) {
      workers.add(
          new DestinationWorker(
              t.destination(),
              t.rateLimit(),
              s.retry(),
              sender,
              states,
              deadLetters,
              metrics,
              s.updateInterval(),
              clock));
    }
    Map<String, Object> c = new HashMap<>(consumerBase);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, s.applicationId());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // the detector writes its alerts in transactions: an aborted revision must never page
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
    c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, s.applicationId());
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    KafkaClientMetrics consumerMetrics = new KafkaClientMetrics(consumer);
    consumerMetrics.bindTo(meters);
    Running running =
        new Running(
            consumer,
            consumerMetrics,
            new AlertDecoder(registry),
            registry,
            states,
            deadLetters,
            workers,
            metrics,
            meters);
    if (s.metricsPort() >= 0) {
      try {
        running.ops = new OpsServer("0.0.0.0", s.metricsPort(), meters, running::health);
      } catch (IOException e) {
        running.close();
        throw new StartupException(
            "cannot serve metrics on port " + s.metricsPort() + ": " + e.getMessage());
      }
    }
    running.startThreads();
    List<String> names = workers.stream().map(DestinationWorker::name).toList();
    LOG.info(
        "notify {} started: group {}, reading {}, paging {}, updates at most every {}, states in"
            + " {}, dead letters to {}{}",
        Version.get(),
        s.applicationId(),
        s.alertsTopic(),
        String.join(", ", names),
        s.updateInterval().toString().substring(2).toLowerCase(java.util.Locale.ROOT),
        s.stateTopic(),
        s.deadLetterTopic(),
        running.ops == null ? "" : ", metrics on :" + running.ops.port());
    return running;
  }

  /** Creates the compacted state topic when missing; true when it did. */
  private boolean ensureStateTopic(Admin admin) {
    try {
      if (admin.listTopics().names().get(15, TimeUnit.SECONDS).contains(s.stateTopic())) {
        Config config =
            admin
                .describeConfigs(
                    List.of(new ConfigResource(ConfigResource.Type.TOPIC, s.stateTopic())))
                .all()
                .get(15, TimeUnit.SECONDS)
                .values()
                .iterator()
                .next();
        ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
          LOG.warn(
              "state topic {} is not compacted (cleanup.policy={}): it keeps every"
                  + " state ever written",
              s.stateTopic(),
              policy == null ? "?" : policy.value());
        }
        return false;
      }
      NewTopic topic =
          new NewTopic(
                  s.stateTopic(),
                  java.util.Optional.of(1),
                  s.replicationFactor() < 1
                      ? java.util.Optional.empty()
                      : java.util.Optional.of(s.replicationFactor()))
              .configs(
                  Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      admin.createTopics(List.of(topic)).all().get(15, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return false;
      }
      throw new StartupException(
          "cannot create the state topic "
              + s.stateTopic()
              + ": "
              + RootCause.message(e.getCause()));
    } catch (TimeoutException e) {
      throw new StartupException("timed out checking the state topic " + s.stateTopic());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException("interrupted while checking the state topic");
    }
  }

  /**
   * How long a resolved alert's state is kept: the alerts topic's retention plus a day (after that
   * no record of the alert can be read again); null (forever) when the topic keeps records forever.
   */
  private Duration keepClosedStates(Admin admin) {
    try {
      Config config =
          admin
              .describeConfigs(
                  List.of(new ConfigResource(ConfigResource.Type.TOPIC, s.alertsTopic())))
              .all()
              .get(15, TimeUnit.SECONDS)
              .values()
              .iterator()
              .next();
      ConfigEntry retention = config.get(TopicConfig.RETENTION_MS_CONFIG);
      long ms = retention == null ? -1 : Long.parseLong(retention.value());
      return ms < 0 ? null : Duration.ofMillis(ms).plusDays(1);
    } catch (ExecutionException | TimeoutException | NumberFormatException e) {
      LOG.warn("cannot read the retention of {}; keeping every state", s.alertsTopic());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException("interrupted while reading topic configs");
    }
  }

  /** A started notifier. */
  public final class Running implements UntilStopped.Service {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaClientMetrics consumerMetrics;
    private final AlertDecoder decoder;
    private final SchemaRegistryClient registry;
    private final StateStore states;
    private final NotificationDeadLetters deadLetters;
    private final List<DestinationWorker> workers;
    private final List<Thread> workerThreads = new ArrayList<>();
    private final NotifyMetrics metrics;
    private final PrometheusMeterRegistry meters;
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();

    /** Records handed to the destinations and not yet done by all of them. */
    private final java.util.concurrent.atomic.AtomicInteger outstanding =
        new java.util.concurrent.atomic.AtomicInteger();

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread loop;
    private OpsServer ops;
    private volatile boolean stopping;
    private volatile boolean polling;
    private volatile Throwable fatal;
    private long lastCommitNanos;
    private long lastLagNanos;
    private boolean pausedForBackpressure;

    Running(
        KafkaConsumer<byte[], byte[]> consumer,
        KafkaClientMetrics consumerMetrics,
        AlertDecoder decoder,
        SchemaRegistryClient registry,
        StateStore states,
        NotificationDeadLetters deadLetters,
        List<DestinationWorker> workers,
        NotifyMetrics metrics,
        PrometheusMeterRegistry meters) {
      this.consumer = consumer;
      this.consumerMetrics = consumerMetrics;
      this.decoder = decoder;
      this.registry = registry;
      this.states = states;
      this.deadLetters = deadLetters;
      this.workers = workers;
      this.metrics = metrics;
      this.meters = meters;
      this.loop = new Thread(this::consume, "notify-consumer");
    }

    void startThreads() {
      for (DestinationWorker w : workers) {
        Thread t = new Thread(w, "notify-" + w.name());
        t.setDaemon(true);
        workerThreads.add(t);
        t.start();
      }
      loop.start();
    }

    public PrometheusMeterRegistry meters() {
      return meters;
    }

    /** The port of /metrics and /health/*, or -1. */
    public int opsPort() {
      return ops == null ? -1 : ops.port();
    }

    OpsServer.Health health() {
      boolean live = fatal == null && loop.isAlive();
      String state =
          fatal != null ? "FAILED" : stopping ? "STOPPING" : polling ? "RUNNING" : "STARTING";
      return new OpsServer.Health(live, live && polling && !stopping, state);
    }

    /** Blocks until the consumer loop ends by itself (a fatal error); returns the error. */
    @Override
    public Throwable awaitFailure() throws InterruptedException {
      stopped.await();
      return fatal;
    }

    private void consume() {
      try {
        consumer.subscribe(List.of(s.alertsTopic()), new Rebalance());
        while (!stopping) {
          ConsumerRecords<byte[], byte[]> records;
          try {
            records = consumer.poll(POLL);
          } catch (WakeupException e) {
            continue;
          }
          polling = true;
          for (TopicPartition tp : records.partitions()) {
            PartitionProgress p = progress.get(tp);
            if (p == null) {
              continue;
            }
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
              if (!dispatch(p, r)) {
                break;
              }
            }
          }
          for (DestinationWorker w : workers) {
            if (w.failure() != null) {
              throw new IllegalStateException(
                  w.name() + " worker failed: " + RootCause.message(w.failure()), w.failure());
            }
          }
          resumeAfterRetry();
          backpressure();
          if (System.nanoTime() - lastCommitNanos > COMMIT_EVERY.toNanos()) {
            commit(progress.values());
            lastCommitNanos = System.nanoTime();
          }
          if (System.nanoTime() - lastLagNanos > Duration.ofSeconds(2).toNanos()) {
            updateLag();
            lastLagNanos = System.nanoTime();
          }
        }
      } catch (WakeupException e) {
        // stopping
      } catch (Throwable t) {
        fatal = t;
      } finally {
        shutdown();
        stopped.countDown();
      }
    }

    /** Hands one record on; false when it must be read again later (registry down). */
    private boolean dispatch(PartitionProgress p, ConsumerRecord<byte[], byte[]> r)
        throws InterruptedException {
      Job.Source source = new Job.Source(r.topic(), r.partition(), r.offset(), r.key(), r.value());
      AlertDecoder.Decoded decoded;
      try {
        decoded = decoder.decode(r.topic(), r.value());
      } catch (AlertDecoder.RegistryUnavailable e) {
        LOG.warn(
            "{} (record {}-{}@{}); retrying in {} s",
            e.getMessage(),
            r.topic(),
            r.partition(),
            r.offset(),
            REGISTRY_RETRY.toSeconds());
        retryLater(p, r.offset());
        return false;
      }
      if (decoded instanceof AlertDecoder.Unreadable u) {
        try {
          deadLetters.unreadable(source, u.reason(), u.message());
        } catch (NotificationDeadLetters.DeadLetterWriteException e) {
          LOG.warn("{}; retrying", e.getMessage());
          retryLater(p, r.offset());
          return false;
        }
        metrics.unreadable(u.reason());
        LOG.warn(
            "record {}-{}@{} is not an alert notify can read ({}: {}); written to {}",
            r.topic(),
            r.partition(),
            r.offset(),
            u.reason(),
            u.message(),
            deadLetters.topic());
        p.handled(r.offset());
        return true;
      }
      AlertDecoder.Alert alert = (AlertDecoder.Alert) decoded;
      outstanding.incrementAndGet();
      Tracked tracked = p.track(r.offset(), workers.size(), outstanding::decrementAndGet);
      for (DestinationWorker w : workers) {
        w.submit(new Job(alert.alert(), source, tracked));
      }
      return true;
    }

    private void retryLater(PartitionProgress p, long offset) {
      consumer.seek(p.partition, offset);
      consumer.pause(List.of(p.partition));
      p.pausedForRetry = true;
      p.retryAtNanos = System.nanoTime() + REGISTRY_RETRY.toNanos();
    }

    private void resumeAfterRetry() {
      for (PartitionProgress p : progress.values()) {
        if (p.pausedForRetry && System.nanoTime() >= p.retryAtNanos) {
          p.pausedForRetry = false;
          if (!pausedForBackpressure) {
            consumer.resume(List.of(p.partition));
          }
        }
      }
    }

    /**
     * Pauses reading while too many records wait for a destination (a service down, or slower than
     * the alerts). Records done but not yet committable (behind a held update) do not count.
     */
    private void backpressure() {
      int inFlight = outstanding.get();
      metrics.inFlight(inFlight);
      if (!pausedForBackpressure && inFlight >= MAX_IN_FLIGHT) {
        consumer.pause(consumer.assignment());
        pausedForBackpressure = true;
      } else if (pausedForBackpressure && inFlight < MAX_IN_FLIGHT / 2) {
        List<TopicPartition> resume = new ArrayList<>();
        for (PartitionProgress p : progress.values()) {
          if (!p.pausedForRetry) {
            resume.add(p.partition);
          }
        }
        consumer.resume(resume);
        pausedForBackpressure = false;
      }
    }

    private void commit(Collection<PartitionProgress> parts) {
      try {
        commitOrThrow(parts);
      } catch (KafkaException e) {
        LOG.warn("commit failed ({}); will commit again", RootCause.message(e));
      }
    }

    private void commitOrThrow(Collection<PartitionProgress> parts) {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      for (PartitionProgress p : parts) {
        long c = p.committable();
        if (c >= 0) {
          offsets.put(p.partition, new OffsetAndMetadata(c));
        }
      }
      if (offsets.isEmpty()) {
        return;
      }
      consumer.commitSync(offsets, Duration.ofSeconds(15));
      for (PartitionProgress p : parts) {
        OffsetAndMetadata o = offsets.get(p.partition);
        if (o != null) {
          p.committed(o.offset());
        }
      }
    }

    private void updateLag() {
      long lag = 0;
      for (PartitionProgress p : progress.values()) {
        var current = consumer.currentLag(p.partition);
        if (current.isPresent() && p.lastCommitted() >= 0) {
          lag += consumer.position(p.partition) + current.getAsLong() - p.lastCommitted();
        }
      }
      metrics.lag(lag);
    }

    /** Waits (bounded) until no worker is in a request for a revoked partition. */
    private void awaitWorkersLeave() {
      long deadline = System.nanoTime() + s.httpTimeout().plusSeconds(5).toNanos();
      while (System.nanoTime() < deadline) {
        boolean busy = false;
        for (DestinationWorker w : workers) {
          busy |= w.busyWithRevoked();
        }
        if (!busy) {
          return;
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        List<PartitionProgress> gone = new ArrayList<>();
        for (TopicPartition tp : partitions) {
          PartitionProgress p = progress.get(tp);
          if (p != null) {
            p.revoke();
            gone.add(p);
          }
        }
        awaitWorkersLeave();
        commit(gone);
        for (PartitionProgress p : gone) {
          progress.remove(p.partition);
          p.abandonAll();
        }
        if (!gone.isEmpty()) {
          LOG.info("partitions revoked: {}", partitions);
        }
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> partitions) {
        List<PartitionProgress> gone = new ArrayList<>();
        for (TopicPartition tp : partitions) {
          PartitionProgress p = progress.remove(tp);
          if (p != null) {
            p.revoke();
            gone.add(p);
          }
        }
        awaitWorkersLeave();
        gone.forEach(PartitionProgress::abandonAll);
        LOG.warn("partitions lost: {}", partitions);
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
          return;
        }
        // what another instance delivered before handing these partitions over
        states.catchUp(STATE_READ_TIMEOUT);
        Map<TopicPartition, OffsetAndMetadata> committed =
            consumer.committed(Set.copyOf(partitions), Duration.ofSeconds(15));
        for (TopicPartition tp : partitions) {
          PartitionProgress p = new PartitionProgress(tp);
          OffsetAndMetadata c = committed.get(tp);
          if (c != null) {
            p.committed(c.offset());
          }
          progress.put(tp, p);
        }
        if (pausedForBackpressure) {
          consumer.pause(partitions);
        }
        LOG.info("partitions assigned: {}", partitions);
      }
    }

    private void shutdown() {
      for (DestinationWorker w : workers) {
        w.stop();
      }
      for (Thread t : workerThreads) {
        try {
          t.join(s.httpTimeout().plusSeconds(5).toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      for (int attempt = 0; attempt < 2; attempt++) {
        try {
          // a wakeup left from the stop may interrupt the first try
          commitOrThrow(progress.values());
          break;
        } catch (WakeupException e) {
          continue;
        } catch (RuntimeException e) {
          LOG.warn("final commit failed: {}", RootCause.message(e));
          break;
        }
      }
      closeQuietly(consumerMetrics);
      closeQuietly(
          () ->
              consumer.close(
                  org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(10))));
      closeQuietly(states);
      closeQuietly(deadLetters);
      if (registry != null) {
        closeQuietly(registry);
      }
      if (ops != null) {
        closeQuietly(ops);
      }
    }

    /** Stops consuming, lets the requests in flight finish, commits, closes; true if clean. */
    @Override
    public boolean closeWithin(Duration timeout) {
      stopping = true;
      if (!loop.isAlive() && stopped.getCount() > 0) {
        // never started
        shutdown();
        stopped.countDown();
        return true;
      }
      consumer.wakeup();
      try {
        loop.join(timeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return !loop.isAlive() && fatal == null;
    }

    @Override
    public void close() {
      closeWithin(CLOSE_TIMEOUT);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing on the way out: nothing left to do about it
    }
  }
}
