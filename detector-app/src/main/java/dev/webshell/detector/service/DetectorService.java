package dev.webshell.detector.service;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.ops.MicrometerDetectorMetrics;
import dev.webshell.detector.ops.OpsServer;
import dev.webshell.detector.ops.RetryableFailures;
import dev.webshell.detector.ops.Version;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.topology.DetectorClock;
import dev.webshell.detector.topology.TopologyConfig;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-running detector: checks its surroundings, builds the topology, runs Kafka Streams,
 * serves metrics and health, and stops cleanly on SIGTERM (exit 0) or with one line on a fatal
 * error (exit 1).
 */
public final class DetectorService {
  /**
   * Everything {@code run} is configured with; built by name with {@link #builder}, whose defaults
   * are the command line's.
   */
  public record Settings(
      Map<String, Object> clientConfig,
      List<String> inputTopics,
      Pattern inputPattern,
      String outputTopic,
      String deadLetterTopic,
      String applicationId,
      Path stateDir,
      InputFormat inputFormat,
      AlertFormat alertFormat,
      RegistryConfig registry,
      RuleSpec rule,
      int metricsPort,
      boolean createTopics,
      int partitions,
      short replicationFactor,
      ProcessingGuarantee processingGuarantee,
      int standbyReplicas,
      Duration clockSkewTolerance) {

    public Settings {
      clientConfig = Map.copyOf(clientConfig);
      inputTopics = inputTopics == null ? List.of() : List.copyOf(inputTopics);
      Objects.requireNonNull(outputTopic, "outputTopic");
      Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
      Objects.requireNonNull(applicationId, "applicationId");
      Objects.requireNonNull(stateDir, "stateDir");
      Objects.requireNonNull(inputFormat, "inputFormat");
      Objects.requireNonNull(alertFormat, "alertFormat");
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(processingGuarantee, "processingGuarantee");
      Objects.requireNonNull(clockSkewTolerance, "clockSkewTolerance");
    }

    /** Settings for the cluster that {@code clientConfig} reaches, with the CLI's defaults. */
    public static Builder builder(Map<String, Object> clientConfig) {
      return new Builder(clientConfig);
    }

    /** A builder with every field of these settings, to change some of them. */
    public Builder toBuilder() {
      return new Builder(clientConfig)
          .inputTopics(inputTopics)
          .inputPattern(inputPattern)
          .outputTopic(outputTopic)
          .deadLetterTopic(deadLetterTopic)
          .applicationId(applicationId)
          .stateDir(stateDir)
          .inputFormat(inputFormat)
          .alertFormat(alertFormat)
          .registry(registry)
          .rule(rule)
          .metricsPort(metricsPort)
          .createTopics(createTopics)
          .partitions(partitions)
          .replicationFactor(replicationFactor)
          .processingGuarantee(processingGuarantee)
          .standbyReplicas(standbyReplicas)
          .clockSkewTolerance(clockSkewTolerance);
    }
  }

  /** Builds {@link Settings} by name; unset fields keep the command line's defaults. */
  public static final class Builder {
    private final Map<String, Object> clientConfig;
    private List<String> inputTopics = List.of();
    private Pattern inputPattern;
    private String outputTopic = "alerts";
    private String deadLetterTopic = "alerts.dead-letters";
    private String applicationId = "web-shell-detector";
    private Path stateDir = Path.of(System.getProperty("java.io.tmpdir"), "web-shell-detector");
    private InputFormat inputFormat = InputFormat.AUTO;
    private AlertFormat alertFormat = AlertFormat.AVRO;
    private RegistryConfig registry;
    private RuleSpec rule = RuleSpec.seed();
    private int metricsPort = 9464;
    private boolean createTopics;
    private int partitions = 3;
    private short replicationFactor = -1;
    private ProcessingGuarantee processingGuarantee = ProcessingGuarantee.EXACTLY_ONCE_V2;
    private int standbyReplicas;
    private Duration clockSkewTolerance = DetectorClock.DEFAULT_TOLERANCE;

    private Builder(Map<String, Object> clientConfig) {
      this.clientConfig = Objects.requireNonNull(clientConfig, "clientConfig");
    }

    public Builder inputTopics(List<String> v) {
      inputTopics = v;
      return this;
    }

    public Builder inputPattern(Pattern v) {
      inputPattern = v;
      return this;
    }

    public Builder outputTopic(String v) {
      outputTopic = v;
      return this;
    }

    public Builder deadLetterTopic(String v) {
      deadLetterTopic = v;
      return this;
    }

    public Builder applicationId(String v) {
      applicationId = v;
      return this;
    }

    public Builder stateDir(Path v) {
      stateDir = v;
      return this;
    }

    public Builder inputFormat(InputFormat v) {
      inputFormat = v;
      return this;
    }

    public Builder alertFormat(AlertFormat v) {
      alertFormat = v;
      return this;
    }

    public Builder registry(RegistryConfig v) {
      registry = v;
      return this;
    }

    public Builder rule(RuleSpec v) {
      rule = v;
      return this;
    }

    /** -1 turns the endpoint off; 0 picks a free port. */
    public Builder metricsPort(int v) {
      metricsPort = v;
      return this;
    }

    public Builder createTopics(boolean v) {
      createTopics = v;
      return this;
    }

    public Builder partitions(int v) {
      partitions = v;
      return this;
    }

    public Builder replicationFactor(short v) {
      replicationFactor = v;
      return this;
    }

    public Builder processingGuarantee(ProcessingGuarantee v) {
      processingGuarantee = v;
      return this;
    }

    public Builder standbyReplicas(int v) {
      standbyReplicas = v;
      return this;
    }

    public Builder clockSkewTolerance(Duration v) {
      clockSkewTolerance = v;
      return this;
    }

    public Settings build() {
      return new Settings(
          clientConfig,
          inputTopics,
          inputPattern,
          outputTopic,
          deadLetterTopic,
          applicationId,
          stateDir,
          inputFormat,
          alertFormat,
          registry,
          rule,
          metricsPort,
          createTopics,
          partitions,
          replicationFactor,
          processingGuarantee,
          standbyReplicas,
          clockSkewTolerance);
    }
  }

  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(25);

  /** The detector's own lines ("detector: …"), human or JSON like every other log line. */
  private static final Logger LOG = LoggerFactory.getLogger("detector");

  private final Settings s;

  public DetectorService(Settings settings) {
    this.s = settings;
  }

  private static void info(String message) {
    LOG.info(message);
  }

  /** A started detector. */
  public static final class Running implements UntilStopped.Service {
    private final KafkaStreams streams;
    private final OpsServer ops;
    private final SchemaRegistryClient registry;
    private final KafkaStreamsMetrics streamsMetrics;
    private final PrometheusMeterRegistry meters;
    private final AtomicReference<Throwable> fatal;
    private final CountDownLatch stopped;
    private CloseOptions.GroupMembershipOperation membershipOnClose =
        CloseOptions.GroupMembershipOperation.LEAVE_GROUP;

    Running(
        KafkaStreams streams,
        OpsServer ops,
        SchemaRegistryClient registry,
        KafkaStreamsMetrics streamsMetrics,
        PrometheusMeterRegistry meters,
        AtomicReference<Throwable> fatal,
        CountDownLatch stopped) {
      this.streams = streams;
      this.ops = ops;
      this.registry = registry;
      this.streamsMetrics = streamsMetrics;
      this.meters = meters;
      this.fatal = fatal;
      this.stopped = stopped;
    }

    public KafkaStreams streams() {
      return streams;
    }

    public PrometheusMeterRegistry meters() {
      return meters;
    }

    /** The port of the metrics and health endpoint, or -1 when it is off. */
    public int opsPort() {
      return ops == null ? -1 : ops.port();
    }

    /** Blocks until the streams client fails; returns the error (or null if none was given). */
    @Override
    public Throwable awaitFailure() throws InterruptedException {
      stopped.await();
      return fatal.get();
    }

    /** Commits, closes the state stores and the endpoint; true when done within the timeout. */
    @Override
    public void close() {
      closeWithin(CLOSE_TIMEOUT);
    }

    @Override
    public boolean closeWithin(Duration timeout) {
      boolean clean =
          streams.close(
              CloseOptions.timeout(timeout).withGroupMembershipOperation(membershipOnClose));
      closeQuietly(ops, registry, streamsMetrics);
      return clean;
    }
  }

  /** Runs until SIGTERM (exit 0) or a fatal error (returns 1): {@link UntilStopped}. */
  public int run() {
    return UntilStopped.run(
        start(),
        LOG,
        "detector-shutdown",
        "committing and closing state stores",
        CLOSE_TIMEOUT,
        "the streams client entered ERROR");
  }

  /** Checks, builds and starts the detector; the caller closes what it returns. */
  public Running start() {
    if (s.alertFormat().needsRegistry() && s.registry() == null) {
      throw new StartupException(
          "--alert-format avro needs --schema-registry-url (or use --alert-format json)");
    }
    if (s.inputFormat() == InputFormat.AVRO && s.registry() == null) {
      throw new StartupException("--input-format avro needs --schema-registry-url");
    }
    List<String> inputs;
    try (Preflight preflight = new Preflight(s.clientConfig())) {
      String clusterId = preflight.checkBrokers();
      inputs = preflight.checkInputs(s.inputTopics(), s.inputPattern());
      if (s.processingGuarantee() == ProcessingGuarantee.EXACTLY_ONCE_V2) {
        preflight.checkTransactions(s.applicationId());
      }
      List<String> created =
          preflight.checkOutputs(
              List.of(s.outputTopic(), s.deadLetterTopic()),
              s.createTopics(),
              s.partitions(),
              s.replicationFactor());
      info(
          "Kafka cluster "
              + clusterId
              + " at "
              + s.clientConfig().get("bootstrap.servers")
              + (created.isEmpty() ? "" : "; created " + String.join(", ", created)));
      preflight
          .smallRecordLimitsWarning(
              List.of(
                  s.outputTopic(),
                  s.deadLetterTopic(),
                  DetectorStreams.windowChangelogTopic(s.applicationId())),
              "an alert, a dead letter or a device's window (long command lines)",
              "a larger one would be retried and stall its partition")
          .ifPresent(LOG::warn);
    }
    if (s.inputPattern() != null && inputs.isEmpty()) {
      info("no topic matches /" + s.inputPattern() + "/ yet; waiting for one to appear");
    }

    SchemaRegistryClient registry = null;
    if (s.registry() != null) {
      try {
        registry = SchemaRegistryClients.create(s.registry());
      } catch (IllegalArgumentException e) { // a trust or key store that cannot be loaded
        throw new StartupException(e.getMessage());
      }
      RegistryPreflight.check(
          registry, s.registry(), s.outputTopic(), s.alertFormat() == AlertFormat.AVRO);
      info("schema registry at " + s.registry().urlsForDisplay() + " answers");
    }

    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    MicrometerDetectorMetrics metrics = new MicrometerDetectorMetrics(meters);
    RetryableFailures failures = new RetryableFailures(meters);

    TopologyConfig topology =
        new TopologyConfig(
            s.inputTopics(),
            s.inputPattern(),
            s.outputTopic(),
            s.rule(),
            true,
            DetectorClock.live(s.clockSkewTolerance()));
    DetectorStreams.Spec spec =
        new DetectorStreams.Spec(
            s.clientConfig(),
            s.applicationId(),
            s.stateDir(),
            s.processingGuarantee(),
            s.standbyReplicas(),
            s.deadLetterTopic(),
            Map.of(),
            Map.of());
    AtomicReference<Throwable> fatal = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    KafkaStreams streams =
        DetectorStreams.create(
            topology,
            DetectorStreams.serdes(s.inputFormat(), s.alertFormat(), registry, s.rule()),
            spec,
            metrics,
            failures,
            e -> {
              fatal.compareAndSet(null, e);
              stopped.countDown();
            });
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(meters);

    OpsServer ops = null;
    if (s.metricsPort() >= 0) {
      try {
        ops = new OpsServer("0.0.0.0", s.metricsPort(), meters, streams::state, failures::stalled);
      } catch (IOException e) {
        streams.close(Duration.ZERO);
        throw new StartupException(
            "cannot serve metrics on port " + s.metricsPort() + ": " + e.getMessage());
      }
    }
    Running running = new Running(streams, ops, registry, streamsMetrics, meters, fatal, stopped);
    // A dynamic member leaves the group on close so that its partitions move at once instead of
    // after session.timeout.ms; a static member (group.instance.id, e.g. a StatefulSet pod) stays,
    // so that its restart moves nothing.
    if (s.clientConfig().containsKey("group.instance.id")) {
      running.membershipOnClose = CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP;
    }
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
            running.stopped.countDown();
          }
          if (now == KafkaStreams.State.RUNNING || before == KafkaStreams.State.RUNNING) {
            info("streams " + before + " -> " + now);
          }
        });
    streams.start();
    info(
        "detector "
            + Version.get()
            + " started: application "
            + s.applicationId()
            + ", rule "
            + s.rule().profile()
            + " "
            + s.rule().version()
            + ", reading "
            + (s.inputPattern() != null ? "/" + s.inputPattern() + "/" : String.join(",", inputs))
            + " ("
            + s.inputFormat().name().toLowerCase(java.util.Locale.ROOT)
            + "), alerts to "
            + s.outputTopic()
            + " ("
            + s.alertFormat().cliName()
            + "), dead letters to "
            + s.deadLetterTopic()
            + ", "
            + s.processingGuarantee()
            + ", clock-skew tolerance "
            + s.clockSkewTolerance().toString().substring(2).toLowerCase(java.util.Locale.ROOT)
            + (ops == null ? "" : ", metrics on :" + ops.port()));
    return running;
  }

  private static void closeQuietly(
      OpsServer ops, SchemaRegistryClient registry, KafkaStreamsMetrics metrics) {
    List<AutoCloseable> all = new ArrayList<>();
    all.add(metrics);
    if (ops != null) {
      all.add(ops);
    }
    if (registry != null) {
      all.add(registry);
    }
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        // closing on the way out: nothing left to do about it
      }
    }
  }
}
