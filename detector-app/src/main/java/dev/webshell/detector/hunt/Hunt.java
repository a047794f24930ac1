package dev.webshell.detector.hunt;

import dev.webshell.detector.event.AvroEventDecoder;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.ops.Directories;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.serde.AlertSerializers;
import dev.webshell.detector.service.Preflight;
import dev.webshell.detector.service.StartupException;
import dev.webshell.detector.topology.DeadLetters;
import dev.webshell.detector.topology.DetectorSerdes;
import dev.webshell.detector.topology.DetectorTopology;
import dev.webshell.detector.topology.StreamsSettings;
import dev.webshell.detector.topology.TopologyConfig;
import dev.webshell.schema.WebShellAlert;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * A retro-hunt: replays input topics over the event-time range {@code [from, to)} through the live
 * detector's topology ({@link DetectorTopology#build}) under a fresh application id, ends by itself
 * once it has read what was there when it started, and removes everything it created.
 *
 * <p>How it ends: the start and stop offsets of every input partition are planned once ({@link
 * HuntPlan}) and the start offsets committed for the hunt's own group before Kafka Streams starts.
 * The hunt watches the group's committed offsets with the Admin API; once every input partition has
 * reached its stop offset, all matches are in the repartition topic (written in the same
 * transaction as those offsets, or flushed before them at least once), whose end offsets are then
 * captured; once the group has committed those too, every alert is written. Kafka Streams is then
 * closed (leaving the group), the alerts read to their end, and the internal topics, private
 * topics, consumer group and local state deleted.
 */
public final class Hunt {
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);
  private static final long CHECK_EVERY_NANOS = 400_000_000L;
  private static final int DEAD_LETTER_SAMPLES = 10;

  private final HuntSettings s;
  private final PrintWriter err;
  private final boolean terminal;
  private final String appId;
  private final HuntMetrics metrics = new HuntMetrics();
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean cancelled;

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

  private String repartitionTopic() {
    return appId + "-" + TopologyConfig.REPARTITION + "-repartition";
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
      return hunt(alertSink, started);
    } finally {
      finished.countDown();
    }
  }

  private HuntResult hunt(Consumer<String> alertSink, long started) {
    try {
      return plannedHunt(alertSink, started);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HuntFailedException("interrupted while planning the hunt", e);
    }
  }

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
    try (Preflight preflight = new Preflight(s.clientConfig())) {
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
      HuntPlan plan;
      try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
        plan = HuntPlan.compute(consumer, tps, s.from(), s.to(), s.slack(), ADMIN_TIMEOUT);
      }
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
              + " records to read, slack "
              + (s.slack() == null ? "unbounded" : s.slack())
              + "), rule "
              + s.rule().profile()
              + " "
              + s.rule().version()
              + ", application "
              + appId);
      if (plan.totalRecords() == 0) {
        info(
            "no record has a timestamp in ["
                + (s.slack() == null ? "the beginning" : "from - slack")
                + ", to + slack): nothing to read (record timestamps far from event times? see"
                + " --slack)");
      }
      return execute(admin, inputs, plan, alertSink, started);
    }
  }

  private HuntResult execute(
      Admin admin, List<String> inputs, HuntPlan plan, Consumer<String> alertSink, long started) {
    SchemaRegistryClient registry =
        s.registry() == null ? null : SchemaRegistryClients.create(s.registry());
    KafkaStreams streams = null;
    KafkaConsumer<byte[], byte[]> output = null;
    long printed = 0;
    long read = 0;
    List<String> samples = new ArrayList<>();
    List<String> leftovers = new ArrayList<>();
    boolean interrupted = false;
    Progress progress = new Progress(err, terminal, s.progressInterval(), plan.totalRecords());
    try {
      List<NewTopic> own = new ArrayList<>();
      if (s.outputTopic() == null) {
        own.add(new NewTopic(alertsTopic(), Optional.of(1), Optional.empty()));
      }
      if (s.deadLetterTopic() == null) {
        own.add(new NewTopic(deadLetterTopic(), Optional.of(1), Optional.empty()));
      }
      if (!own.isEmpty()) {
        get(admin.createTopics(own).all());
      }
      Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
      plan.startOffsets().forEach((tp, o) -> start.put(tp, new OffsetAndMetadata(o)));
      get(admin.alterConsumerGroupOffsets(appId, start).all());

      streams = startStreams(registry);
      if (s.outputTopic() == null) {
        output = consumer();
        TopicPartition alerts = new TopicPartition(alertsTopic(), 0);
        output.assign(List.of(alerts));
        output.seekToBeginning(List.of(alerts));
      }

      Map<TopicPartition, Long> drain = null;
      Map<TopicPartition, Long> lastCommitted = Map.of();
      long lastCheck = 0;
      while (true) {
        if (cancelled) {
          interrupted = true;
          break;
        }
        Throwable failure = fatal.get();
        if (failure != null) {
          throw new HuntFailedException("Kafka Streams failed: " + rootMessage(failure), failure);
        }
        if (output != null) {
          printed += print(output, alertSink, Duration.ofMillis(200));
        } else {
          sleep(200);
        }
        if (System.nanoTime() - lastCheck < CHECK_EVERY_NANOS) {
          continue;
        }
        lastCheck = System.nanoTime();
        Map<TopicPartition, Long> committed = committed(admin);
        read = plan.recordsDone(committed);
        progress.update(read, drain != null);
        if (drain == null
            && reached(plan.partitions().keySet(), stops(plan), committed, lastCommitted)) {
          drain = endOffsets(partitions(admin, List.of(repartitionTopic())));
        }
        if (drain != null && reached(drain.keySet(), drain, committed, lastCommitted)) {
          break;
        }
        lastCommitted = committed;
      }
      progress.finish();
      if (!interrupted) {
        closeStreams(streams);
        if (output != null) {
          printed += printToEnd(output, alertSink);
        }
        read = plan.recordsDone(committed(admin));
      }
      if (s.deadLetterTopic() == null && !interrupted) {
        samples = deadLetterSamples();
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
      leftovers.addAll(cleanUp(admin, streams));
      if (registry != null) {
        try {
          registry.close();
        } catch (Exception e) {
          // closing on the way out
        }
      }
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
            s.outputTopic() == null ? printed : metrics.alertsEmitted(),
            metrics.deadLetters(),
            metrics.deadLettersByReason(),
            metrics.skippedByCategory(),
            samples,
            Duration.ofNanos(System.nanoTime() - started),
            interrupted,
            leftovers);
    summary(result);
    return result;
  }

  private KafkaStreams startStreams(SchemaRegistryClient registry) {
    Serde<WebShellAlert> alertSerde = AlertSerializers.outputSerde(s.alertFormat(), registry);
    InputDeserializer input =
        new InputDeserializer(
            s.inputFormat(),
            registry == null
                ? null
                : new AvroEventDecoder(registry, new Rule(s.rule())::mayBeShell));
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
    var topology = DetectorTopology.build(config, new DetectorSerdes(input, alertSerde), metrics);

    Map<String, Object> props = new HashMap<>(s.clientConfig());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir().toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, s.processingGuarantee());
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0);
    props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
    props.putIfAbsent(
        StreamsConfig.NUM_STREAM_THREADS_CONFIG, StreamsSettings.defaultStreamThreads());
    StreamsSettings.taskIdleDefault(s.inputTopics(), s.inputPattern()).forEach(props::putIfAbsent);
    // every input partition has a committed start offset; anything else (a repartition partition,
    // a topic created during the hunt) starts at its beginning
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    StreamsSettings.required(deadLetterTopic(), metrics)
        .forEach((k, v) -> props.put((String) k, v));
    KafkaStreams streams = new KafkaStreams(topology, new StreamsConfig(props));
    streams.setUncaughtExceptionHandler(
        e -> {
          fatal.compareAndSet(null, e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
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

  /**
   * Every partition's committed offset reached its target. A partition whose committed offset sits
   * below the target, unchanged since the last look, is checked for records the hunt could still
   * read: a transaction marker at the end of a partition is not a record, and a consumer may commit
   * the offset before it.
   */
  private boolean reached(
      Collection<TopicPartition> tps,
      Map<TopicPartition, Long> targets,
      Map<TopicPartition, Long> committed,
      Map<TopicPartition, Long> lastCommitted) {
    List<TopicPartition> behind = new ArrayList<>();
    for (TopicPartition tp : tps) {
      long target = targets.get(tp);
      Long c = committed.get(tp);
      if (target == 0 || c != null && c >= target) {
        continue;
      }
      if (c == null || !c.equals(lastCommitted.get(tp))) {
        return false;
      }
      behind.add(tp);
    }
    for (TopicPartition tp : behind) {
      if (!nothingToRead(tp, committed.get(tp), targets.get(tp))) {
        return false;
      }
    }
    return true;
  }

  /** No record a read_committed consumer would return lies in {@code [from, to)}. */
  private boolean nothingToRead(TopicPartition tp, long from, long to) {
    try (KafkaConsumer<byte[], byte[]> probe = consumer()) {
      probe.assign(List.of(tp));
      probe.seek(tp, from);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : probe.poll(Duration.ofMillis(200))) {
          if (r.offset() < to) {
            return false;
          }
        }
        if (probe.position(tp) >= to) {
          return true;
        }
      }
      return false;
    }
  }

  private Map<TopicPartition, Long> committed(Admin admin) throws InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        get(admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata());
    Map<TopicPartition, Long> out = new HashMap<>();
    offsets.forEach(
        (tp, o) -> {
          if (o != null) {
            out.put(tp, o.offset());
          }
        });
    return out;
  }

  private Map<TopicPartition, Long> endOffsets(List<TopicPartition> tps) {
    try (KafkaConsumer<byte[], byte[]> c = consumer()) {
      c.assign(tps);
      return c.endOffsets(tps, ADMIN_TIMEOUT);
    }
  }

  private List<TopicPartition> partitions(Admin admin, List<String> topics)
      throws InterruptedException {
    Map<String, TopicDescription> described = get(admin.describeTopics(topics).allTopicNames());
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
    long end = output.endOffsets(List.of(tp), ADMIN_TIMEOUT).get(tp);
    long n = 0;
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    while (output.position(tp) < end) {
      if (System.nanoTime() > deadline) {
        throw new HuntFailedException("could not read the alerts to their end", null);
      }
      n += print(output, sink, Duration.ofMillis(200));
    }
    return n;
  }

  /** Reads the private dead-letter topic: how the first few records failed, and where from. */
  private List<String> deadLetterSamples() {
    List<String> out = new ArrayList<>();
    if (metrics.deadLetters() == 0) {
      return out;
    }
    TopicPartition tp = new TopicPartition(deadLetterTopic(), 0);
    try (KafkaConsumer<byte[], byte[]> c = consumer()) {
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp), ADMIN_TIMEOUT).get(tp);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (c.position(tp) < end && out.size() < DEAD_LETTER_SAMPLES) {
        if (System.nanoTime() > deadline) {
          break;
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (out.size() < DEAD_LETTER_SAMPLES) {
            out.add(describe(r));
          }
        }
      }
    }
    return out;
  }

  private static String describe(ConsumerRecord<byte[], byte[]> r) {
    String index = header(r, DeadLetters.ENVELOPE_INDEX);
    return header(r, DeadLetters.SOURCE_TOPIC)
        + "/"
        + header(r, DeadLetters.SOURCE_PARTITION)
        + "@"
        + header(r, DeadLetters.SOURCE_OFFSET)
        + (index == null ? "" : " (record " + index + ")")
        + ": "
        + header(r, DeadLetters.ERROR_REASON)
        + ": "
        + header(r, DeadLetters.ERROR_MESSAGE);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private void closeStreams(KafkaStreams streams) {
    if (streams != null) {
      streams.close(
          CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
              .withTimeout(CLOSE_TIMEOUT));
    }
  }

  /**
   * Closes Kafka Streams (leaving the group), deletes its local state, every topic named {@code
   * <appId>-…} (internal and private ones) and the consumer group. Returns what could not be
   * removed.
   */
  private List<String> cleanUp(Admin admin, KafkaStreams streams) {
    List<String> left = new ArrayList<>();
    if (streams != null) {
      closeStreams(streams);
      try {
        streams.cleanUp();
      } catch (RuntimeException e) {
        left.add("local state under " + s.stateDir() + " (" + e.getMessage() + ")");
      }
    }
    Directories.deleteRecursively(s.stateDir().resolve(appId));
    try {
      Set<String> all = get(admin.listTopics().names());
      List<String> mine = all.stream().filter(t -> t.startsWith(appId + "-")).sorted().toList();
      if (!mine.isEmpty()) {
        try {
          get(admin.deleteTopics(mine).all());
        } catch (ExecutionFailure e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
            left.add("topics " + String.join(", ", mine) + " (" + e.getMessage() + ")");
          }
        }
      }
    } catch (InterruptedException | ExecutionFailure e) {
      left.add("topics " + appId + "-* (" + e.getMessage() + ")");
    }
    String group = deleteGroup(admin);
    if (group != null) {
      left.add(group);
    }
    for (String l : left) {
      info("could not remove " + l);
    }
    return left;
  }

  private String deleteGroup(Admin admin) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String last = null;
    while (System.nanoTime() < deadline) {
      try {
        get(admin.deleteConsumerGroups(List.of(appId)).all());
        return null;
      } catch (ExecutionFailure e) {
        if (e.getCause() instanceof GroupIdNotFoundException) {
          return null;
        }
        // a member that has not left yet (GroupNotEmpty): try again shortly
        last = e.getMessage();
      } catch (InterruptedException e) {
        last = "interrupted";
        break;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        last = "interrupted";
        break;
      }
    }
    return "consumer group " + appId + " (" + last + ")";
  }

  private void summary(HuntResult r) {
    StringBuilder b = new StringBuilder();
    b.append(r.interrupted() ? "interrupted after " : "done in ")
        .append(String.format(java.util.Locale.ROOT, "%.1f s", r.elapsed().toMillis() / 1000.0))
        .append(": ")
        .append(r.recordsRead())
        .append(" of ")
        .append(r.recordsPlanned())
        .append(" records read from ")
        .append(r.partitions())
        .append(" partitions, ")
        .append(r.events())
        .append(" events (")
        .append(r.events() - r.outOfRange())
        .append(" in range), ")
        .append(r.matches())
        .append(" matches, ")
        .append(r.alerts())
        .append(" alert revisions")
        .append(s.outputTopic() == null ? "" : " to " + s.outputTopic())
        .append(", ")
        .append(r.deadLetters())
        .append(" dead letters");
    if (!r.deadLettersByReason().isEmpty()) {
      b.append(" ").append(new TreeMap<>(r.deadLettersByReason()));
    }
    if (s.deadLetterTopic() != null && r.deadLetters() > 0) {
      b.append(" (in ").append(s.deadLetterTopic()).append(")");
    }
    b.append(", ").append(r.skipped()).append(" records of other categories skipped");
    if (!r.skippedByCategory().isEmpty()) {
      b.append(" ").append(new TreeMap<>(r.skippedByCategory()));
    }
    info(b.toString());
    for (String sample : r.deadLetterSamples()) {
      info("dead letter: " + sample);
    }
    if (r.deadLetters() > r.deadLetterSamples().size() && !r.deadLetterSamples().isEmpty()) {
      info("(" + (r.deadLetters() - r.deadLetterSamples().size()) + " more dead letters)");
    }
    info(
        r.leftovers().isEmpty()
            ? "removed " + appId + "-* topics, its consumer group and local state"
            : "left behind: " + String.join("; ", r.leftovers()));
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

  private static void sleep(long millis) throws InterruptedException {
    Thread.sleep(millis);
  }

  private static <T> T get(org.apache.kafka.common.KafkaFuture<T> f) throws InterruptedException {
    try {
      return f.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new ExecutionFailure(e.getCause());
    } catch (TimeoutException e) {
      throw new ExecutionFailure(e);
    }
  }

  /** An Admin call failed; the cause is Kafka's error. */
  static final class ExecutionFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ExecutionFailure(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** The hunt could not finish (Kafka Streams failed, or Kafka stopped answering). */
  public static final class HuntFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HuntFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The innermost cause's message on one line. */
  public static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return m.replaceAll("\\s+", " ").trim();
  }
}
