package dev.webshell.detector.hunt;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.ops.CaughtUp;
import dev.webshell.detector.ops.RetryableFailures;
import dev.webshell.detector.ops.RootCause;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.service.DetectorStreams;
import dev.webshell.detector.service.Preflight;
import dev.webshell.detector.service.ProcessingGuarantee;
import dev.webshell.detector.service.StartupException;
import dev.webshell.detector.topology.DetectorSerdes;
import dev.webshell.detector.topology.StreamsSettings;
import dev.webshell.detector.topology.TopologyConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * A retro-hunt: replays input topics over the event-time range {@code [from, to)} through the live
 * detector's topology under a fresh application id, ends by itself once it has read what was there
 * when it started, and removes everything it created.
 *
 * <p>What it reads: every record that may hold an event of the range. Record timestamps may prune
 * the read ({@link HuntPlan}) only where they are known to follow event times: given {@code
 * --slack}, by the user's word, checked by samples ({@link PlanCheck}) that may refuse it;
 * otherwise only when the samples confirm it, and every record is read when they do not. A result
 * that may miss events of the range (records left out unverified, or planned records that could not
 * be read) is reported as inconclusive, never as a clean one.
 *
 * <p>How it ends: the start offsets are committed for the hunt's own group before Kafka Streams
 * starts; once the group has committed every stop offset ({@link CaughtUp}), all matches are in the
 * repartition topic, which is then drained the same way — until its end offsets stay put, since the
 * sources' last progress (which closes emptied windows) comes a moment after their last record.
 */
public final class Hunt {
  /** How long the repartition topic's end offsets must stay put before the hunt ends. */
  static final Duration SETTLED = Duration.ofSeconds(3);

  private static final long CHECK_EVERY_NANOS = 400_000_000L;

  private final HuntSettings s;
  private final PrintWriter err;
  private final boolean terminal;
  private final String appId;
  private final HuntMetrics metrics = new HuntMetrics();
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean cancelled;
  private long printedAlerts;

  /**
   * @param err progress, notices and the summary
   * @param terminal draw a progress bar (stderr is a terminal) instead of plain lines
   */
  public Hunt(HuntSettings settings, PrintWriter err, boolean terminal) {
    this.s = settings;
    this.err = err;
    this.terminal = terminal;
    this.appId = HuntSettings.APPLICATION_ID_PREFIX + UUID.randomUUID();
  }

  /** The hunt's own Kafka Streams application id (consumer group, internal topic prefix). */
  public String applicationId() {
    return appId;
  }

  public HuntMetrics metrics() {
    return metrics;
  }

  /** Stops the hunt early (Ctrl-C); it still cleans up. Returns at once. */
  public void cancel() {
    cancelled = true;
  }

  /** Waits until {@link #run} has cleaned up (for a shutdown hook). */
  public boolean awaitFinished(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private String alertsTopic() {
    return s.outputTopic() != null ? s.outputTopic() : appId + "-alerts";
  }

  private String deadLetterTopic() {
    return s.deadLetterTopic() != null ? s.deadLetterTopic() : appId + "-dead-letters";
  }

  private void info(String message) {
    err.println("hunt: " + message);
    err.flush();
  }

  /**
   * Runs the hunt to its end (or until {@link #cancel()}).
   *
   * @param alertSink receives each alert revision as one JSON line when no output topic is set
   */
  public HuntResult run(Consumer<String> alertSink) {
    long started = System.nanoTime();
    try {
      return plannedHunt(alertSink, started);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HuntFailedException("interrupted while planning the hunt", e);
    } finally {
      finished.countDown();
    }
  }

  /** What the hunt reads, and whether leaving the rest out is known to be safe. */
  private record Reading(HuntPlan plan, String leftOutUnverified) {}

  private HuntResult plannedHunt(Consumer<String> alertSink, long started)
      throws InterruptedException {
    if (!s.alertFormat().isText() && s.outputTopic() == null) {
      throw new StartupException(
          "--alert-format avro needs --output-topic (stdout gets json, ocsf or ecs)");
    }
    if (s.alertFormat().needsRegistry() && s.registry() == null) {
      throw new StartupException("--alert-format avro needs --schema-registry-url");
    }
    if (s.inputFormat() == InputFormat.AVRO && s.registry() == null) {
      throw new StartupException("--input-format avro needs --schema-registry-url");
    }
    try (Preflight preflight = new Preflight(s.clientConfig());
        SchemaRegistryClient registry =
            s.registry() == null ? null : SchemaRegistryClients.create(s.registry())) {
      Admin admin = preflight.admin();
      String clusterId = preflight.checkBrokers();
      List<String> inputs =
          preflight.checkInputs(s.inputTopics(), s.inputPattern()).stream()
              .filter(t -> !t.startsWith(HuntSettings.APPLICATION_ID_PREFIX))
              .sorted()
              .toList();
      if (inputs.isEmpty()) {
        throw new StartupException("no topic matches /" + s.inputPattern() + "/");
      }
      List<String> userTopics = new ArrayList<>();
      if (s.outputTopic() != null) {
        userTopics.add(s.outputTopic());
      }
      if (s.deadLetterTopic() != null) {
        userTopics.add(s.deadLetterTopic());
      }
      preflight.checkOutputs(userTopics, false, 1, (short) -1);
      List<TopicPartition> tps = partitions(admin, inputs);
      DetectorSerdes serdes =
          DetectorStreams.serdes(s.inputFormat(), s.alertFormat(), registry, s.rule());
      Reading reading = plan(tps, serdes);
      HuntPlan plan = reading.plan();
      info(
          "Kafka cluster "
              + clusterId
              + "; hunting "
              + Timestamps.format(s.from())
              + " .. "
              + Timestamps.format(s.to())
              + " in "
              + String.join(",", inputs)
              + " ("
              + tps.size()
              + " partitions, "
              + plan.totalRecords()
              + " records to read"
              + (plan.outside() == 0 ? "" : ", " + plan.outside() + " left out")
              + "), rule "
              + s.rule().profile()
              + " "
              + s.rule().version()
              + ", application "
              + appId);
      if (plan.totalRecords() == 0) {
        info(
            "nothing to read: the topics hold no record" + (plan.outside() == 0 ? "" : " planned"));
      }
      return execute(admin, plan, reading.leftOutUnverified(), serdes, alertSink, started);
    } catch (Exception e) {
      if (e instanceof RuntimeException r) {
        throw r;
      }
      if (e instanceof InterruptedException i) {
        throw i;
      }
      throw new HuntFailedException(e.getMessage(), e);
    }
  }

  /**
   * Plans the read. An unbounded slack reads everything. A slack the user gave prunes by record
   * timestamp unless samples of what it leaves out hold events of the range (then the hunt refuses
   * with what to change). Without one, the default slack prunes only when the samples confirm it.
   *
   * @return the plan, and why what it leaves out is not known to be safe (or null)
   */
  private Reading plan(List<TopicPartition> tps, DetectorSerdes serdes) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      if (s.slack() == null) {
        info("--slack unbounded: reading every record");
        return new Reading(HuntPlan.everything(consumer, tps, KafkaCalls.TIMEOUT), null);
      }
      HuntPlan pruned =
          HuntPlan.compute(consumer, tps, s.from(), s.to(), s.slack(), KafkaCalls.TIMEOUT);
      PlanCheck.Verdict v =
          PlanCheck.check(consumer, pruned, s.from(), s.to(), r -> eventTimes(serdes, r));
      String slack = "record timestamps within " + TimeSpecs.format(s.slack()) + " of event times";
      switch (v.kind()) {
        case NOTHING_LEFT_OUT:
          return new Reading(pruned, null);
        case VERIFIED:
          info(
              "reading by record timestamp ("
                  + slack
                  + "): confirmed by "
                  + v.decoded()
                  + " records sampled from the "
                  + pruned.outside()
                  + " left out, none with an event in the range");
          return new Reading(pruned, null);
        case UNSAFE:
          if (s.slackGiven()) {
            throw new StartupException(
                "--slack "
                    + TimeSpecs.format(s.slack())
                    + " would leave out events of the range: "
                    + v.evidence()
                    + ". Record timestamps do not follow event times here (a topic refilled from"
                    + " an export?): rerun with --slack unbounded, or without --slack");
          }
          info(
              "reading every record: record timestamps do not follow event times here ("
                  + v.evidence()
                  + ")");
          return new Reading(HuntPlan.everything(consumer, tps, KafkaCalls.TIMEOUT), null);
        case UNKNOWN:
        default:
          if (s.slackGiven()) {
            info(
                "--slack "
                    + TimeSpecs.format(s.slack())
                    + ": the "
                    + pruned.outside()
                    + " records it leaves out could not be checked (none could be decoded)");
            return new Reading(
                pruned,
                pruned.outside()
                    + " records were left out by --slack "
                    + TimeSpecs.format(s.slack())
                    + " without a check; rerun with --slack unbounded to read them");
          }
          info(
              "reading every record: whether record timestamps follow event times could not be"
                  + " checked (no sampled record could be decoded)");
          return new Reading(HuntPlan.everything(consumer, tps, KafkaCalls.TIMEOUT), null);
      }
    }
  }

  private static List<Long> eventTimes(DetectorSerdes serdes, ConsumerRecord<byte[], byte[]> r) {
    try {
      return PlanCheck.times(serdes.input().deserialize(r.topic(), r.headers(), r.value()));
    } catch (RuntimeException e) {
      return List.of(); // unreadable: no evidence either way
    }
  }

  private HuntResult execute(
      Admin admin,
      HuntPlan plan,
      String leftOutUnverified,
      DetectorSerdes serdes,
      Consumer<String> alertSink,
      long started) {
    KafkaStreams streams = null;
    KafkaConsumer<byte[], byte[]> output = null;
    long read = 0;
    List<String> samples = new ArrayList<>();
    List<String> leftovers = new ArrayList<>();
    boolean interrupted = false;
    Progress progress = new Progress(err, terminal, s.progressInterval(), plan.totalRecords());
    CaughtUp caughtUp = new CaughtUp(admin, appId, this::consumer);
    try {
      if (plan.totalRecords() > 0) {
        List<NewTopic> own = new ArrayList<>();
        if (s.outputTopic() == null) {
          own.add(
              new NewTopic(alertsTopic(), Optional.of(1), Optional.empty())
                  .configs(StreamsSettings.largeRecordsTopicConfig()));
        }
        if (s.deadLetterTopic() == null) {
          own.add(
              new NewTopic(deadLetterTopic(), Optional.of(1), Optional.empty())
                  .configs(StreamsSettings.largeRecordsTopicConfig()));
        }
        if (!own.isEmpty()) {
          KafkaCalls.get(admin.createTopics(own).all());
        }
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        plan.startOffsets().forEach((tp, o) -> start.put(tp, new OffsetAndMetadata(o)));
        KafkaCalls.get(admin.alterConsumerGroupOffsets(appId, start).all());

        streams = startStreams(serdes);
        if (s.outputTopic() == null) {
          output = consumer();
          TopicPartition alerts = new TopicPartition(alertsTopic(), 0);
          output.assign(List.of(alerts));
          output.seekToBeginning(List.of(alerts));
        }
        interrupted = awaitEnd(admin, plan, caughtUp, progress, output, alertSink);
        progress.finish();
        if (!interrupted) {
          HuntCleanup.close(streams);
          if (output != null) {
            printedAlerts += printToEnd(output, alertSink);
          }
          read = plan.recordsDone(caughtUp.committed());
        }
        if (s.deadLetterTopic() == null && !interrupted && metrics.deadLetters() > 0) {
          try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            samples = HuntReport.deadLetterSamples(c, deadLetterTopic());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      interrupted = true;
    } finally {
      progress.finish();
      if (output != null) {
        output.close();
      }
      if (interrupted) {
        info("interrupted: stopping and cleaning up");
      }
      leftovers.addAll(HuntCleanup.run(admin, streams, appId, s.stateDir()));
      leftovers.forEach(l -> info("could not remove " + l));
    }
    long alerts = s.outputTopic() == null ? printedAlerts : metrics.alertsEmitted();
    String inconclusive = null;
    if (!interrupted && read < plan.totalRecords()) {
      inconclusive =
          (plan.totalRecords() - read)
              + " planned records could not be read (deleted by retention during the hunt?)";
    } else if (!interrupted && leftOutUnverified != null && alerts == 0) {
      inconclusive = leftOutUnverified;
    }
    HuntResult result =
        new HuntResult(
            appId,
            plan.partitions().size(),
            plan.totalRecords(),
            read,
            metrics.events(),
            metrics.outOfRangeEvents(),
            metrics.matches(),
            alerts,
            metrics.deadLetters(),
            metrics.deadLettersByReason(),
            metrics.skippedByCategory(),
            samples,
            Duration.ofNanos(System.nanoTime() - started),
            interrupted,
            leftovers,
            plan.outside(),
            inconclusive);
    HuntReport.summary(result, s, appId, this::info);
    return result;
  }

  /**
   * Prints alerts while waiting until every planned input record and every match it led to has been
   * processed. Returns true when cancelled.
   */
  private boolean awaitEnd(
      Admin admin,
      HuntPlan plan,
      CaughtUp caughtUp,
      Progress progress,
      KafkaConsumer<byte[], byte[]> output,
      Consumer<String> alertSink)
      throws InterruptedException {
    Map<TopicPartition, Long> drain = null;
    long drainAt = 0;
    long lastCheck = 0;
    while (true) {
      if (cancelled) {
        return true;
      }
      Throwable failure = fatal.get();
      if (failure != null) {
        throw new HuntFailedException(
            "Kafka Streams failed: " + RootCause.message(failure), failure);
      }
      if (output != null) {
        printedAlerts += print(output, alertSink, Duration.ofMillis(200));
      } else {
        Thread.sleep(200);
      }
      if (System.nanoTime() - lastCheck < CHECK_EVERY_NANOS) {
        continue;
      }
      lastCheck = System.nanoTime();
      Map<TopicPartition, Long> committed = caughtUp.committed();
      progress.update(plan.recordsDone(committed), drain != null);
      if (drain == null) {
        if (caughtUp.reached(stops(plan), committed)) {
          drain = repartitionEnds(admin, caughtUp);
          drainAt = System.nanoTime();
        }
      } else if (caughtUp.reached(drain, committed)
          && System.nanoTime() - drainAt >= SETTLED.toNanos()) {
        Map<TopicPartition, Long> now = repartitionEnds(admin, caughtUp);
        if (now.equals(drain)) {
          return false;
        }
        drain = now;
        drainAt = System.nanoTime();
      }
    }
  }

  /**
   * Where the repartition topics end now (matches by device, and Windows creations by host on their
   * way to the process trees); empty before Kafka Streams has created them.
   */
  private Map<TopicPartition, Long> repartitionEnds(Admin admin, CaughtUp caughtUp)
      throws InterruptedException {
    try {
      return caughtUp.endOffsets(partitions(admin, DetectorStreams.repartitionTopics(appId)));
    } catch (KafkaCalls.Failure e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Map.of();
      }
      throw e;
    }
  }

  private KafkaStreams startStreams(DetectorSerdes serdes) {
    TopologyConfig config =
        new TopologyConfig(
            s.inputPattern() == null ? s.inputTopics() : List.of(),
            s.inputPattern(),
            alertsTopic(),
            s.rule(),
            true,
            Timestamps.toMicros(s.from()),
            Timestamps.toMicros(s.to()),
            s.clock());
    DetectorStreams.Spec spec =
        new DetectorStreams.Spec(
            s.clientConfig(),
            appId,
            s.stateDir(),
            ProcessingGuarantee.parse(s.processingGuarantee()),
            0,
            deadLetterTopic(),
            Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200),
            // every input partition has a committed start offset; anything else (a repartition
            // partition, a topic created during the hunt) starts at its beginning
            Map.of(
                StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest"));
    KafkaStreams streams =
        DetectorStreams.create(
            config,
            serdes,
            spec,
            metrics,
            new RetryableFailures(null),
            e -> fatal.compareAndSet(null, e));
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.ERROR) {
            fatal.compareAndSet(
                null, new IllegalStateException("the streams client entered ERROR"));
          }
        });
    try {
      Files.createDirectories(s.stateDir());
    } catch (IOException e) {
      throw new StartupException(
          "cannot create --state-dir " + s.stateDir() + ": " + e.getMessage());
    }
    streams.start();
    return streams;
  }

  private static Map<TopicPartition, Long> stops(HuntPlan plan) {
    Map<TopicPartition, Long> m = new HashMap<>();
    plan.partitions().forEach((tp, r) -> m.put(tp, r.stop()));
    return m;
  }

  private List<TopicPartition> partitions(Admin admin, List<String> topics)
      throws InterruptedException {
    Map<String, TopicDescription> described =
        KafkaCalls.get(admin.describeTopics(topics).allTopicNames());
    List<TopicPartition> tps = new ArrayList<>();
    for (String t : topics) {
      for (TopicPartitionInfo p : described.get(t).partitions()) {
        tps.add(new TopicPartition(t, p.partition()));
      }
    }
    return tps;
  }

  private long print(
      KafkaConsumer<byte[], byte[]> output, Consumer<String> sink, Duration timeout) {
    long n = 0;
    for (ConsumerRecord<byte[], byte[]> r : output.poll(timeout)) {
      if (r.value() != null) {
        sink.accept(new String(r.value(), StandardCharsets.UTF_8));
        n++;
      }
    }
    return n;
  }

  private long printToEnd(KafkaConsumer<byte[], byte[]> output, Consumer<String> sink) {
    TopicPartition tp = new TopicPartition(alertsTopic(), 0);
    long end = output.endOffsets(List.of(tp), KafkaCalls.TIMEOUT).get(tp);
    long n = 0;
    long deadline = System.nanoTime() + KafkaCalls.TIMEOUT.toNanos();
    while (output.position(tp) < end) {
      if (System.nanoTime() > deadline) {
        throw new HuntFailedException("could not read the alerts to their end", null);
      }
      n += print(output, sink, Duration.ofMillis(200));
    }
    return n;
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Map<String, Object> c = new HashMap<>();
    Set<String> known = ConsumerConfig.configNames();
    s.clientConfig()
        .forEach(
            (k, v) -> {
              if (known.contains(k) || k.startsWith("config.providers")) {
                c.put(k, v);
              }
            });
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, appId + "-reader");
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** The hunt could not finish (Kafka Streams failed, or Kafka stopped answering). */
  public static final class HuntFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HuntFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
