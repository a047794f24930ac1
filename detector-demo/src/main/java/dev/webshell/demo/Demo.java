package dev.webshell.demo;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.generator.WindowsEventJson;
import dev.webshell.detector.ops.Directories;
import dev.webshell.detector.ops.logging.Logging;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.MockSchemaRegistryClient;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.detector.topology.StreamsSettings;
import dev.webshell.schema.DeviceProcessEvent;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import dev.webshell.testkit.registry.ApicurioRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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

  /** The log file of this JVM (broker, detector, clients) in the work directory. */
  static final String LOG_FILE = "demo.log";

  /** System property {@code demo-log4j2.xml} reads the log file's path from. */
  static final String LOG_FILE_PROPERTY = "detector.demo.log";

  /**
   * What the command line asked for.
   *
   * @param streamThreads the detector's stream threads; null for its default, one per CPU
   */
  record Options(
      DemoInput input,
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
      boolean handleSignals,
      Integer streamThreads) {}

  private final Options o;
  private final PrintWriter out;
  private final AlertPrinter printer;
  private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean stopRequested;
  private volatile boolean interrupted;
  private final long t0 = System.nanoTime();

  private Path workDir;
  private EmbeddedKafkaCluster kafka;
  private ApicurioRegistry apicurio;
  private RegistryConfig registryConfig;
  private DetectorService.Running detector;
  private AlertReader alertReader;
  private DemoProducer<?> producer;
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
    AutoCloseable demoLogging = () -> {};
    boolean ok = false;
    try {
      workDir = Files.createTempDirectory("detector-demo-");
      demoLogging = logsToFiles(savedProperties);
      start();
      alertReader = new AlertReader(kafka.clientConfig(), registryConfig, printer);
      toClose.push(alertReader);
      produceBatch();
      awaitCaughtUp();
      summary();
      if (o.follow() && !stopRequested) {
        note(
            "--follow: %s events/s from now on, a new scenario every %d events; Ctrl-C stops",
            fmt(o.followRate()), DemoScript.FOLLOW_SCENARIO_EVERY);
        producer.follow(o.followRate());
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
      try {
        demoLogging.close();
      } catch (Exception e) {
        // the previous logging configuration could not be loaded again; the demo is over anyway
      }
      if (ok && workDir != null) {
        Directories.deleteRecursively(workDir);
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

  /**
   * Kafka's, the detector's and the registry's own logs go to files in the work directory, not the
   * terminal: only the detector's own warnings reach stderr ({@code demo-log4j2.xml}).
   */
  private AutoCloseable logsToFiles(Map<String, String> saved) {
    setSaved(saved, LOG_FILE_PROPERTY, workDir.resolve(LOG_FILE).toString());
    // Apicurio: the child's output goes to apicurio-registry-PORT.log here
    setSaved(saved, ApicurioRegistry.LOG_DIR_PROPERTY, workDir.toString());
    URL config = Demo.class.getResource("/demo-log4j2.xml");
    AutoCloseable restore;
    try {
      restore = config == null ? () -> {} : Logging.configureUntilClosed(config.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    if (Logging.userConfigured()) {
      note(
          "logs of Kafka and the detector: as your -Dlog4j2.configurationFile says; the"
              + " registry's: %s (deleted on exit unless the demo fails)",
          workDir);
    } else {
      note(
          "logs of Kafka, the detector and the registry: %s (%s, apicurio-registry-*.log; deleted"
              + " on exit unless the demo fails)",
          workDir, LOG_FILE);
    }
    return restore;
  }

  private static void setSaved(Map<String, String> saved, String key, String value) {
    saved.put(key, System.getProperty(key, ""));
    System.setProperty(key, value);
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
    // as the detector's --create-topics would: room for its largest alerts and dead letters
    kafka.createTopic(
        ALERTS_TOPIC, PARTITIONS, (short) 1, StreamsSettings.largeRecordsTopicConfig());
    kafka.createTopic(DLQ_TOPIC, 1, (short) 1, StreamsSettings.largeRecordsTopicConfig());
    checkStop();

    long d0 = System.nanoTime();
    Map<String, Object> detectorConfig = new HashMap<>(kafka.clientConfig());
    if (o.streamThreads() != null) {
      detectorConfig.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, o.streamThreads());
    }
    DetectorService.Settings settings =
        DetectorService.Settings.builder(detectorConfig)
            .inputTopics(List.of(EVENTS_TOPIC))
            .outputTopic(ALERTS_TOPIC)
            .deadLetterTopic(DLQ_TOPIC)
            .applicationId(APPLICATION_ID)
            .stateDir(workDir.resolve("state"))
            .inputFormat(sysmon() ? InputFormat.AUTO : InputFormat.AVRO)
            .alertFormat(AlertFormat.AVRO)
            .registry(registryConfig)
            .rule(o.rule())
            .metricsPort(o.metricsPort())
            .partitions(PARTITIONS)
            .replicationFactor((short) 1)
            .build();
    detector = new DetectorService(settings).start();
    toClose.push(detector);
    awaitRunning();
    detectorStartup = Duration.ofNanos(System.nanoTime() - d0);
    int threads = detector.streams().metadataForLocalThreads().size();
    note(
        "detector running (%s profile, %s, exactly_once_v2, %d stream thread%s) in %.1f s;"
            + " metrics %s",
        o.rule().profile(),
        sysmon() ? "input format auto (Sysmon JSON), Avro alerts" : "Avro in and out",
        threads,
        threads == 1 ? "" : "s",
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
        throw new IllegalStateException("the detector stopped: " + s + " (see " + LOG_FILE + ")");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the detector was not RUNNING after " + o.timeout().toSeconds() + " s (" + s + ")");
      }
      Stopped.sleep(50);
      checkStop();
    }
  }

  private void produceBatch() {
    if (sysmon()) {
      producer =
          new DemoProducer<>(
              kafka.clientConfig(),
              (topic, r) ->
                  WindowsEventJson.toJson(r, WindowsEventJson.Shape.SYSMON)
                      .getBytes(StandardCharsets.UTF_8),
              new SysmonScript(o.seed(), o.devices(), o.events()),
              () -> stopRequested);
      toClose.push(producer);
      note(
          "producing %,d Sysmon records (JSON, keyed by host) from %,d hosts%s: process trees of"
              + " web servers and workstations, a web shell under IIS that runs cmd.exe, which runs"
              + " PowerShell (the grandparent case), one under Tomcat, one under Tomcat on java.exe"
              + " (the kql profile's blind spot), one under Apache; alerts as they arrive:",
          o.events(), o.devices(), o.rate() > 0 ? " at " + fmt(o.rate()) + "/s" : "");
    } else {
      SchemaRegistryClient client = SchemaRegistryClients.create(registryConfig);
      toClose.push(client);
      producer =
          new DemoProducer<>(
              kafka.clientConfig(),
              ConfluentAvroSerializer.<DeviceProcessEvent>forValues(client),
              new DemoScript(o.seed(), o.devices(), o.events()),
              () -> stopRequested);
      toClose.push(producer);
      note(
          "producing %,d events (Confluent Avro) from %,d devices%s: an Operation Soft Cell"
              + " intrusion through IIS, a Tomcat web shell, near-misses; alerts as they arrive:",
          o.events(), o.devices(), o.rate() > 0 ? " at " + fmt(o.rate()) + "/s" : "");
    }
    out.println();
    producer.batch(o.rate());
  }

  private boolean sysmon() {
    return o.input() == DemoInput.SYSMON;
  }

  /** Waits until the summary's figures are final ({@link CatchUp}). */
  private void awaitCaughtUp() {
    new CatchUp(kafka.admin(), kafka.clientConfig(), alertReader)
        .await(o.timeout(), () -> stopRequested && !o.follow());
  }

  private void summary() {
    MeterRegistry meters = detector.meters();
    double read = sum(meters, "detector.events");
    double matches = sum(meters, "detector.matches");
    long seconds = Math.round(secs(Duration.ofNanos(System.nanoTime() - t0)) * 10);
    List<String> hosts = printer.hosts();
    out.println();
    out.println(printer.paint("\u001b[1m", "Summary"));
    if (sysmon()) {
      double skipped = sum(meters, "detector.skipped.records");
      row(
          "records produced",
          String.format(
              Locale.ROOT,
              "%,d Sysmon records (%,d hosts; first %,d in %.1f s)",
              producer == null ? 0 : producer.produced(),
              o.devices(),
              o.events(),
              producer == null ? 0.0 : producer.batchSeconds()));
      row(
          "records read",
          String.format(
              Locale.ROOT,
              "%,d: %,d process creations, %,d skipped (not a process creation)",
              (long) (read + skipped),
              (long) read,
              (long) skipped));
    } else {
      row(
          "events produced",
          String.format(
              Locale.ROOT,
              "%,d (%,d devices; first %,d in %.1f s)",
              producer == null ? 0 : producer.produced(),
              o.devices(),
              o.events(),
              producer == null ? 0.0 : producer.batchSeconds()));
      row("events read", String.format(Locale.ROOT, "%,d", (long) read));
    }
    row("matches", String.format(Locale.ROOT, "%,d", (long) matches));
    row("alert revisions", String.format(Locale.ROOT, "%,d", printer.revisions()));
    row("alerts", String.format(Locale.ROOT, "%,d", printer.alerts()));
    row(
        "devices alerted",
        String.format(Locale.ROOT, "%,d", printer.devices())
            + (hosts.isEmpty() ? "" : " (" + String.join(", ", hosts) + ")"));
    row(
        "dead letters",
        String.format(Locale.ROOT, "%,d", alertReader == null ? 0 : alertReader.deadLetters()));
    if (alertReader != null && alertReader.unreadableAlerts() > 0) {
      row("unreadable alerts", String.format(Locale.ROOT, "%,d", alertReader.unreadableAlerts()));
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

  /** The sum of a counter over its tags. */
  private static double sum(MeterRegistry meters, String name) {
    return meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
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
}
