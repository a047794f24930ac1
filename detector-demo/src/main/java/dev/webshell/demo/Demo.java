package dev.webshell.demo;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.registry.ConfluentAvroDeserializer;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.MockSchemaRegistryClient;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.schema.DeviceProcessEvent;
import dev.webshell.schema.WebShellAlert;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import dev.webshell.testkit.registry.ApicurioRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One run of the demo: a KRaft broker in-process, a schema registry (Apicurio as a child JVM, or
 * the in-memory mock), the detector service, a producer of the scripted story and a consumer that
 * prints the alerts. Everything it starts is stopped, and its temporary directory deleted, when it
 * returns, also after Ctrl-C (a shutdown hook asks the run to stop and waits for it).
 */
final class Demo {
  static final String EVENTS_TOPIC = "device-process-events";
  static final String ALERTS_TOPIC = "alerts";
  static final String DLQ_TOPIC = "alerts.dead-letters";
  static final String APPLICATION_ID = "detector-demo";
  static final int PARTITIONS = 3;

  /** What the command line asked for. */
  record Options(
      long events,
      int devices,
      double rate,
      long seed,
      boolean apicurio,
      RuleSpec rule,
      boolean follow,
      double followRate,
      int metricsPort,
      boolean color,
      Duration timeout,
      boolean handleSignals) {}

  private final Options o;
  private final PrintWriter out;
  private final AlertPrinter printer;
  private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Map<TopicPartition, Long> consumed = new ConcurrentHashMap<>();
  private final AtomicLong deadLetters = new AtomicLong();
  private final AtomicLong unreadableAlerts = new AtomicLong();
  private volatile boolean stopRequested;
  private volatile boolean interrupted;
  private final long t0 = System.nanoTime();

  private Path workDir;
  private EmbeddedKafkaCluster kafka;
  private ApicurioRegistry apicurio;
  private RegistryConfig registryConfig;
  private DetectorService.Running detector;
  private long produced;
  private double produceSeconds;
  private Duration kafkaStartup = Duration.ZERO;
  private Duration registryStartup = Duration.ZERO;
  private Duration detectorStartup = Duration.ZERO;

  Demo(Options options, PrintWriter out) {
    this.o = options;
    this.out = out;
    this.printer = new AlertPrinter(out, options.color());
  }

  /** Runs the demo; 0 when it ran to its end (or was stopped by Ctrl-C), 1 on a failure. */
  int run() {
    Thread hook = new Thread(this::onSignal, "demo-shutdown");
    if (o.handleSignals()) {
      Runtime.getRuntime().addShutdownHook(hook);
    }
    Map<String, String> savedProperties = new HashMap<>();
    boolean ok = false;
    try {
      workDir = Files.createTempDirectory("detector-demo-");
      quietLogs(savedProperties);
      start();
      consumeAlerts();
      produceBatch();
      awaitCaughtUp();
      summary();
      if (o.follow() && !stopRequested) {
        note(
            "--follow: %s events/s from now on, a new scenario every %d events; Ctrl-C stops",
            fmt(o.followRate()), DemoScript.FOLLOW_SCENARIO_EVERY);
        follow();
        awaitCaughtUp();
        summary();
      }
      ok = true;
      return 0;
    } catch (Stopped e) {
      // Ctrl-C before the end: what was seen so far
      if (detector != null) {
        try {
          summary();
        } catch (RuntimeException ignored) {
          // stopping anyway
        }
      }
      ok = true;
      return 0;
    } catch (RuntimeException | IOException e) {
      out.println();
      out.println(printer.paint("\u001b[1;31m", "demo failed: " + describe(e)));
      if (workDir != null) {
        out.println("logs kept in " + workDir);
      }
      out.flush();
      return 1;
    } finally {
      closeAll();
      if (ok && workDir != null) {
        deleteRecursively(workDir);
      }
      savedProperties.forEach(
          (k, v) -> {
            if (v.isEmpty()) {
              System.clearProperty(k);
            } else {
              System.setProperty(k, v);
            }
          });
      out.flush();
      finished.countDown();
      if (o.handleSignals() && !interrupted) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the JVM is exiting anyway
        }
      }
    }
  }

  /** Ctrl-C / SIGTERM: ask the run to stop, give it time to print its summary and clean up. */
  private void onSignal() {
    interrupted = true;
    stopRequested = true;
    try {
      if (!finished.await(60, TimeUnit.SECONDS)) {
        closeAll();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kafka's and the registry's own logs go to files in the work directory, not the console. */
  private void quietLogs(Map<String, String> saved) {
    setIfAbsent(saved, "org.slf4j.simpleLogger.logFile", workDir.resolve("kafka.log").toString());
    setIfAbsent(saved, "org.slf4j.simpleLogger.defaultLogLevel", "warn");
    setIfAbsent(saved, "org.slf4j.simpleLogger.log.dev.webshell", "info");
    // Apicurio: the child's output goes to apicurio-registry-PORT.log here
    saved.put(
        ApicurioRegistry.LOG_DIR_PROPERTY,
        System.getProperty(ApicurioRegistry.LOG_DIR_PROPERTY, ""));
    System.setProperty(ApicurioRegistry.LOG_DIR_PROPERTY, workDir.toString());
  }

  private static void setIfAbsent(Map<String, String> saved, String key, String value) {
    if (System.getProperty(key) == null) {
      saved.put(key, "");
      System.setProperty(key, value);
    }
  }

  private void start() throws IOException {
    note(
        "starting Kafka (KRaft, 1 broker, in-process) and %s",
        o.apicurio()
            ? "Apicurio Registry " + ApicurioRegistry.VERSION + " (child JVM)"
            : "the in-memory schema registry (mock://demo)");
    // The registry's JVM starts while the broker formats and starts in this one.
    CompletableFuture<ApicurioRegistry> registryStart =
        o.apicurio() ? CompletableFuture.supplyAsync(ApicurioRegistry::start) : null;
    // Kafka's storage formatter prints to System.out; into the log with it (our output writer
    // holds the real stdout, so it is not affected).
    PrintStream stdout = System.out;
    try (PrintStream formatLog =
        new PrintStream(
            Files.newOutputStream(workDir.resolve("kafka-format.log")),
            true,
            StandardCharsets.UTF_8)) {
      System.setOut(formatLog);
      try {
        kafka = EmbeddedKafkaCluster.start(1);
      } finally {
        System.setOut(stdout);
      }
      toClose.push(kafka);
      kafkaStartup = kafka.startupTime();
    } finally {
      if (registryStart != null) {
        try {
          apicurio = registryStart.get(90, TimeUnit.SECONDS);
          toClose.push(apicurio);
        } catch (ExecutionException e) {
          throw new IllegalStateException(
              "the schema registry did not start: " + describe(e.getCause()), e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
          throw new IllegalStateException("the schema registry did not start: " + e, e);
        }
      }
    }
    if (apicurio != null) {
      registryStartup = apicurio.startupTime();
      registryConfig = RegistryConfig.of(apicurio.ccompatUrl());
    } else {
      registryConfig = RegistryConfig.of("mock://demo");
      toClose.push(() -> MockSchemaRegistryClient.dropScope("demo"));
    }
    note(
        "Kafka at %s (%.1f s); schema registry at %s%s",
        kafka.bootstrapServers(),
        kafkaStartup.toMillis() / 1000.0,
        registryConfig.urlsForDisplay(),
        apicurio == null ? "" : String.format(Locale.ROOT, " (%.1f s)", secs(registryStartup)));
    checkStop();

    kafka.createTopic(EVENTS_TOPIC, PARTITIONS, (short) 1);
    kafka.createTopic(ALERTS_TOPIC, PARTITIONS, (short) 1);
    kafka.createTopic(DLQ_TOPIC, 1, (short) 1);
    checkStop();

    long d0 = System.nanoTime();
    // the detector's own start/stop lines would interleave with the demo's story; warnings stay
    if (System.getProperty("detector.log.level.detector") == null) {
      System.setProperty("detector.log.level.detector", "warn");
    }
    // One stream thread, whatever the CPU count: awaitCaughtUp reads "a commit after the last
    // record processed" from the thread's counters, which holds for one thread that processes and
    // commits in turn. With two, one thread's commit could end the wait while the other still
    // holds the last alerts in an open transaction (the demo then printed 0 alerts under load).
    Map<String, Object> detectorConfig = new HashMap<>(kafka.clientConfig());
    detectorConfig.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    DetectorService.Settings settings =
        new DetectorService.Settings(
            detectorConfig,
            List.of(EVENTS_TOPIC),
            null,
            ALERTS_TOPIC,
            DLQ_TOPIC,
            APPLICATION_ID,
            workDir.resolve("state"),
            InputFormat.AVRO,
            AlertFormat.AVRO,
            registryConfig,
            o.rule(),
            o.metricsPort(),
            false,
            PARTITIONS,
            (short) 1,
            "exactly_once_v2",
            0);
    detector = new DetectorService(settings).start();
    toClose.push(detector);
    awaitRunning();
    detectorStartup = Duration.ofNanos(System.nanoTime() - d0);
    note(
        "detector running (%s profile, Avro in and out, exactly_once_v2, %d stream thread) in %.1f"
            + " s; metrics %s",
        o.rule().profile(),
        detector.streams().metadataForLocalThreads().size(),
        secs(detectorStartup),
        metricsUrl());
  }

  private void awaitRunning() {
    long deadline = System.nanoTime() + o.timeout().toNanos();
    while (detector.streams().state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
      org.apache.kafka.streams.KafkaStreams.State s = detector.streams().state();
      if (s == org.apache.kafka.streams.KafkaStreams.State.ERROR
          || s == org.apache.kafka.streams.KafkaStreams.State.PENDING_ERROR
          || s == org.apache.kafka.streams.KafkaStreams.State.NOT_RUNNING) {
        throw new IllegalStateException("the detector stopped: " + s + " (see detector.log)");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the detector was not RUNNING after " + o.timeout().toSeconds() + " s (" + s + ")");
      }
      sleep(50);
      checkStop();
    }
  }

  /** A thread that prints every alert revision as soon as its transaction commits. */
  private void consumeAlerts() {
    Map<String, Object> config = new HashMap<>(kafka.clientConfig());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "demo-alert-reader");
    SchemaRegistryClient client = SchemaRegistryClients.create(registryConfig);
    ConfluentAvroDeserializer<WebShellAlert> alerts =
        ConfluentAvroDeserializer.specific(client, WebShellAlert.class);
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      partitions.add(new TopicPartition(ALERTS_TOPIC, p));
    }
    partitions.add(new TopicPartition(DLQ_TOPIC, 0));
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    CountDownLatch done = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              try {
                while (true) {
                  for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (DLQ_TOPIC.equals(r.topic())) {
                      deadLetters.incrementAndGet();
                      continue;
                    }
                    try {
                      printer.print(alerts.deserialize(r.topic(), r.value()));
                    } catch (RuntimeException e) {
                      unreadableAlerts.incrementAndGet();
                    }
                  }
                  for (TopicPartition tp : partitions) {
                    consumed.put(tp, consumer.position(tp));
                  }
                }
              } catch (WakeupException stop) {
                // closing
              } finally {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
                done.countDown();
              }
            },
            "demo-alert-reader");
    reader.setDaemon(true);
    toClose.push(client);
    toClose.push(
        () -> {
          consumer.wakeup();
          done.await(10, TimeUnit.SECONDS);
        });
    reader.start();
  }

  private KafkaProducer<String, DeviceProcessEvent> producer(SchemaRegistryClient client) {
    Map<String, Object> config = new HashMap<>(kafka.clientConfig());
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "demo-generator");
    return new KafkaProducer<>(
        config, new StringSerializer(), ConfluentAvroSerializer.forValues(client));
  }

  private DemoScript script;
  private SchemaRegistryClient producerClient;
  private KafkaProducer<String, DeviceProcessEvent> producer;

  private void produceBatch() {
    script = new DemoScript(o.seed(), o.devices(), o.events());
    producerClient = SchemaRegistryClients.create(registryConfig);
    toClose.push(producerClient);
    producer = producer(producerClient);
    toClose.push(() -> producer.close(Duration.ofSeconds(5)));
    note(
        "producing %,d events (Confluent Avro) from %,d devices%s: an Operation Soft Cell intrusion"
            + " through IIS, a Tomcat web shell, near-misses; alerts as they arrive:",
        o.events(), o.devices(), o.rate() > 0 ? " at " + fmt(o.rate()) + "/s" : "");
    out.println();
    long p0 = System.nanoTime();
    long sent = 0;
    while (!script.batchDone()) {
      checkStop();
      send(script.next(Timestamps.toMicros(Instant.now())));
      sent++;
      pace(p0, sent, o.rate());
    }
    producer.flush();
    produceSeconds = (System.nanoTime() - p0) / 1e9;
  }

  private void follow() {
    long p0 = System.nanoTime();
    long sent = 0;
    while (!stopRequested) {
      send(script.next(Timestamps.toMicros(Instant.now())));
      sent++;
      if (!paceInterruptibly(p0, sent, o.followRate())) {
        break;
      }
    }
    producer.flush();
  }

  private void send(DeviceProcessEvent e) {
    producer.send(new ProducerRecord<>(EVENTS_TOPIC, e.getDeviceId(), e));
    produced++;
  }

  private void pace(long startNanos, long sent, double rate) {
    if (rate <= 0) {
      return;
    }
    long wait = startNanos + (long) (sent * 1e9 / rate) - System.nanoTime();
    if (wait > 0) {
      sleepNanos(wait);
    }
  }

  /** Like pace, but wakes up for a stop request; false once one came. */
  private boolean paceInterruptibly(long startNanos, long sent, double rate) {
    long due = startNanos + (long) (sent * 1e9 / Math.max(rate, 0.1));
    while (!stopRequested) {
      long wait = due - System.nanoTime();
      if (wait <= 0) {
        return true;
      }
      sleepNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
    }
    return false;
  }

  /**
   * Waits until the detector has processed every event produced and every match it passed on
   * through its repartition topic, has committed a transaction after that, and the alert reader has
   * read every committed alert and dead letter.
   *
   * <p>Committed consumer offsets alone cannot tell: the window sub-topology reads a repartition
   * topic, and committed offsets may stop short of a trailing transaction marker. The stream
   * thread's own counters can: {@code process-total} counts each record processed (input events and
   * repartitioned matches alike) and {@code commit-total} each commit, on the one stream thread
   * that processes and commits in turn.
   */
  private void awaitCaughtUp() {
    Admin admin = kafka.admin();
    long deadline = System.nanoTime() + o.timeout().toNanos();
    double commitsWhenProcessed = -1;
    while (true) {
      MeterRegistry meters = detector.meters();
      double read = sum(meters, "detector.events");
      double rejected = sum(meters, "detector.dead.letters");
      double target = read + sum(meters, "detector.matches");
      if (commitsWhenProcessed < 0
          && read + rejected >= produced
          && threadMetric("process-total") >= target) {
        commitsWhenProcessed = threadMetric("commit-total");
      }
      if (commitsWhenProcessed >= 0 && threadMetric("commit-total") > commitsWhenProcessed) {
        try {
          Map<TopicPartition, Long> outEnd = new HashMap<>();
          outEnd.putAll(ends(admin, ALERTS_TOPIC, PARTITIONS));
          outEnd.putAll(ends(admin, DLQ_TOPIC, 1));
          boolean readerDone =
              outEnd.entrySet().stream()
                  .allMatch(e -> consumed.getOrDefault(e.getKey(), -1L) >= e.getValue());
          if (readerDone) {
            return;
          }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          // the broker is busy; ask again
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Stopped();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the detector did not catch up with the input within "
                + o.timeout().toSeconds()
                + " s (see detector.log)");
      }
      if (stopRequested && !o.follow()) {
        throw new Stopped();
      }
      sleep(100);
    }
  }

  private static double sum(MeterRegistry meters, String name) {
    return meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  /** A stream-thread metric of the detector's Kafka Streams client, summed over its threads. */
  private double threadMetric(String name) {
    double total = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : detector.streams().metrics().entrySet()) {
      if (e.getKey().group().equals("stream-thread-metrics")
          && e.getKey().name().equals(name)
          && e.getValue().metricValue() instanceof Number n) {
        total += n.doubleValue();
      }
    }
    return total;
  }

  /** The last stable offsets: where a read_committed reader stands once it has read it all. */
  private static Map<TopicPartition, Long> ends(Admin admin, String topic, int partitions)
      throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      request.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    ListOffsetsOptions options = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
    return admin.listOffsets(request, options).all().get(10, TimeUnit.SECONDS).entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
  }

  private void summary() {
    MeterRegistry meters = detector.meters();
    double read = sum(meters, "detector.events");
    double matches = sum(meters, "detector.matches");
    long seconds = Math.round(secs(Duration.ofNanos(System.nanoTime() - t0)) * 10);
    List<String> hosts = printer.hosts();
    out.println();
    out.println(printer.paint("\u001b[1m", "Summary"));
    row(
        "events produced",
        String.format(
            Locale.ROOT,
            "%,d (%,d devices; first %,d in %.1f s)",
            produced,
            o.devices(),
            o.events(),
            produceSeconds));
    row("events read", String.format(Locale.ROOT, "%,d", (long) read));
    row("matches", String.format(Locale.ROOT, "%,d", (long) matches));
    row("alert revisions", String.format(Locale.ROOT, "%,d", printer.revisions()));
    row("alerts", String.format(Locale.ROOT, "%,d", printer.alerts()));
    row(
        "devices alerted",
        String.format(Locale.ROOT, "%,d", printer.devices())
            + (hosts.isEmpty() ? "" : " (" + String.join(", ", hosts) + ")"));
    row("dead letters", String.format(Locale.ROOT, "%,d", deadLetters.get()));
    if (unreadableAlerts.get() > 0) {
      row("unreadable alerts", String.format(Locale.ROOT, "%,d", unreadableAlerts.get()));
    }
    row(
        "time taken",
        String.format(
            Locale.ROOT,
            "%.1f s (Kafka up in %.1f s, registry %s, detector RUNNING in %.1f s)",
            seconds / 10.0,
            secs(kafkaStartup),
            apicurio == null
                ? "in memory"
                : String.format(Locale.ROOT, "up in %.1f s", secs(registryStartup)),
            secs(detectorStartup)));
    row(
        "Kafka",
        kafka.bootstrapServers()
            + " (topics "
            + String.join(", ", EVENTS_TOPIC, ALERTS_TOPIC, DLQ_TOPIC)
            + ")");
    row(
        "schema registry",
        registryConfig.urlsForDisplay()
            + (apicurio == null ? "" : " (Apicurio " + ApicurioRegistry.VERSION + ")"));
    row("metrics", metricsUrl() + "  (health: /health/ready)");
    out.println();
    out.flush();
  }

  private void row(String label, String value) {
    out.printf(Locale.ROOT, "  %-17s %s%n", label, value);
  }

  private String metricsUrl() {
    return detector.opsPort() < 0 ? "off" : "http://localhost:" + detector.opsPort() + "/metrics";
  }

  private void note(String format, Object... args) {
    out.println(printer.paint("\u001b[2m", "demo: " + String.format(Locale.ROOT, format, args)));
    out.flush();
  }

  private void checkStop() {
    if (stopRequested) {
      throw new Stopped();
    }
  }

  /** Stops everything started so far, newest first; idempotent. */
  private synchronized void closeAll() {
    while (!toClose.isEmpty()) {
      AutoCloseable c = toClose.pop();
      try {
        c.close();
      } catch (Exception e) {
        // shutting down: nothing more to do about it
      }
    }
  }

  private static void deleteRecursively(Path dir) {
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException | UncheckedIOException e) {
      // a leftover temp file is not worth failing the demo for
    }
  }

  private static String describe(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && t.getMessage() == null) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  private static double secs(Duration d) {
    return d.toMillis() / 1000.0;
  }

  private static String fmt(double rate) {
    return rate == Math.rint(rate)
        ? String.format(Locale.ROOT, "%,d", (long) rate)
        : String.format(Locale.ROOT, "%.1f", rate);
  }

  private static void sleep(long millis) {
    sleepNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  private static void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Stopped();
    }
  }

  /** Ctrl-C during a phase that cannot wait for its end. */
  private static final class Stopped extends RuntimeException {
    Stopped() {
      super("stopped", null, false, false);
    }
  }
}
