package dev.webshell.bench;

import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.topology.StreamsSettings;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One run of the bench on a broker: its topics (named {@code <prefix>-…}), the input produced once,
 * the rounds of phases (a) and (b), phase (c) after the last one, and the topics deleted at the
 * end, whatever happened.
 */
final class Bench {
  private final BenchOptions o;
  private final Map<String, Object> base;
  private final RegistryConfig registryConfig;
  private final String prefix;
  private final short replication;
  private final Report report;
  private final BenchClients clients;
  private final ProducePhase produce;
  private final RawConsumerPhase raw;
  private final DetectorPhase detector;
  private final LatencyPhase latency;
  private final Summary summary;
  private final PrintWriter err;

  /**
   * @param base the detector's client settings (bootstrap servers, overrides)
   * @param prefix of every topic, group and application id of this run
   * @param replication of the bench's topics (-1: the broker's default)
   * @param brokerCpu the broker's CPU time so far, or -1 ({@link Brokers#cpuNanos})
   * @param brokerJit its JIT compilers' CPU time so far, or -1 ({@link Brokers#jitCpuNanos})
   */
  Bench(
      BenchOptions o,
      Map<String, Object> base,
      SchemaRegistryClient registry,
      RegistryConfig registryConfig,
      RuleSpec rule,
      String prefix,
      short replication,
      Report report,
      PrintWriter err,
      LongSupplier brokerCpu,
      LongSupplier brokerJit) {
    this.o = o;
    this.base = base;
    this.registryConfig = registryConfig;
    this.prefix = prefix;
    this.replication = replication;
    this.report = report;
    this.err = err;
    this.clients = new BenchClients(base, prefix, o.partitions());
    this.produce = new ProducePhase(o, clients, registry, rule, report, err);
    this.raw = new RawConsumerPhase(o, clients, prefix, err, brokerCpu);
    this.detector =
        new DetectorPhase(o, clients, registryConfig, rule, replication, err, brokerCpu, brokerJit);
    this.latency = new LatencyPhase(o, clients, registry, report, err);
    this.summary = new Summary(o, report);
  }

  void run() throws Exception {
    String input = prefix + "-events";
    int total = o.totalRounds();
    List<String> topics = new ArrayList<>(List.of(input));
    for (int r = 0; r < total; r++) {
      topics.add(alertsTopic(r));
      topics.add(alertsTopic(r) + ".dlq");
    }
    try (Admin admin = Admin.create(base)) {
      admin
          .createTopics(
              topics.stream()
                  .map(
                      t ->
                          t.endsWith("-events")
                              ? new NewTopic(t, o.partitions(), replication)
                              : new NewTopic(t, 1, replication)
                                  .configs(StreamsSettings.largeRecordsTopicConfig()))
                  .collect(Collectors.toList()))
          .all()
          .get(60, TimeUnit.SECONDS);
      HostedPartitions.await(admin, input, o.partitions(), Duration.ofSeconds(60));
      try {
        long expectedAlerts = produce.run(input);
        List<Round> timed = new ArrayList<>();
        for (int r = 0; r < total; r++) {
          int round = r;
          RawConsumerPhase.Result rawRun = raw.run(input, r);
          detector.run(
              admin,
              input,
              alertsTopic(r),
              prefix + "-detector-" + (r + 1),
              r,
              expectedAlerts,
              (det, running, reader) -> {
                Round done = new Round(rawRun, det);
                if (round == 0) {
                  report.put("coldDetectorEventsPerSecond", Math.round(det.eventsPerSecond()));
                }
                summary.round(round, done);
                if (o.timed(round)) {
                  timed.add(done);
                }
                if (round == total - 1) {
                  summary.timedRounds(timed, expectedAlerts);
                  if (o.duration() > 0) {
                    latency.run(admin, running, reader, input, alertsTopic(round), det.app());
                  }
                }
              });
        }
      } finally {
        deleteTopics(admin);
      }
    }
    report.put("settings", settings());
  }

  private String alertsTopic(int round) {
    return prefix + "-alerts-" + (round + 1);
  }

  /** Deletes every topic of this run: its own and the detectors' internal ones. */
  private void deleteTopics(Admin admin) {
    try {
      List<String> ours =
          admin.listTopics().names().get(60, TimeUnit.SECONDS).stream()
              .filter(t -> t.startsWith(prefix + "-"))
              .collect(Collectors.toList());
      admin.deleteTopics(ours).all().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      err.println("bench: could not delete the bench topics: " + e.getMessage());
    }
  }

  private Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("format", o.format());
    s.put("partitions", o.partitions());
    s.put("devices", o.devices());
    s.put("intrusionsPerMillion", o.intrusionsPerMillion());
    s.put("profile", o.profile());
    s.put("processingGuarantee", "exactly_once_v2");
    s.put(
        "commitIntervalMs",
        base.getOrDefault(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "default (100)"));
    s.put("overrides", new LinkedHashMap<>(o.overrides()));
    s.put(
        "broker",
        o.bootstrapServers() != null
            ? "external"
            : "embedded (" + o.embeddedBroker() + ", 1 broker)");
    s.put("registry", registryConfig.isMock() ? "mock" : registryConfig.urlsForDisplay());
    s.put("producer", "acks=all, linger.ms=20, batch.size=65536, compression=lz4");
    s.put("warmup", o.warmupRounds() > 0);
    s.put("warmupRounds", o.warmupRounds());
    s.put("rounds", o.rounds());
    s.put("rate", o.rate());
    s.put("durationSeconds", o.duration());
    s.put("maxHeapMb", Runtime.getRuntime().maxMemory() >> 20);
    s.put("cpus", Runtime.getRuntime().availableProcessors());
    s.put("java", System.getProperty("java.version"));
    return s;
  }
}
