package dev.webshell.bench;

import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.service.DetectorService;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code detector bench}: how fast the detector keeps up, measured against the raw Kafka consumer
 * in the same run (so a busy machine shows in both figures, and their ratio stays meaningful).
 *
 * <ol>
 *   <li>produce N full-width events (Confluent Avro or JSON), about 0.1 % of them matching;
 *   <li>rounds, each of two phases over that topic: (a) a plain consumer reads it, bytes only, with
 *       the detector's consumer settings; (b) a detector ({@link DetectorService}, the same code as
 *       {@code run}) processes it with exactly_once_v2 until its last alert is committed and its
 *       offsets reach the end. The first {@code --warmup-rounds} are untimed (JIT warm-up); the
 *       figures are the medians of the {@code --rounds} timed ones;
 *   <li>(c) the last round's detector, caught up, takes a fixed input rate; event-to-alert latency
 *       is the time from the event's Timestamp (the wall clock when produced) until the alert is
 *       readable (read_committed).
 * </ol>
 *
 * A table goes to stdout, then one JSON object as the last line ({@link Report}). This class holds
 * the options; {@link Bench} runs the phases ({@link ProducePhase}, {@link RawConsumerPhase},
 * {@link DetectorPhase}, {@link LatencyPhase}) and {@link Summary} reports the rounds.
 */
@Command(
    name = "bench",
    description = {
      "Measure throughput (raw consumer vs detector, exactly-once) and event-to-alert latency"
          + " on an embedded broker (default) or your cluster (--bootstrap-servers).",
      "Prints a table, then one JSON object as the last line of stdout."
    },
    mixinStandardHelpOptions = true,
    sortOptions = false)
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--events",
      defaultValue = "2000000",
      description = "Events for the throughput phases (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--rate",
      defaultValue = "20000",
      description = "Input rate of the latency phase, events/s (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--duration",
      defaultValue = "30",
      description = "Seconds of the latency phase; 0 skips it (default: ${DEFAULT-VALUE}).")
  int duration;

  @Option(
      names = "--format",
      defaultValue = "avro",
      description =
          "Input format: avro (Confluent wire format) or json (full-width Defender rows), or"
              + " Windows process trees as sysmon (NXLog's flat Sysmon JSON), winlogbeat, ecs or"
              + " windows-security (4688) (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT,…",
      description =
          "A real cluster instead of the embedded broker (topics bench-<run>-* are created and"
              + " deleted).")
  String bootstrapServers;

  @Option(
      names = "--schema-registry-url",
      paramLabel = "URL",
      description =
          "A Confluent-compatible registry (e.g. Apicurio's ccompat URL); default: the"
              + " in-process mock://bench.")
  String schemaRegistryUrl;

  @Option(
      names = "--embedded-broker",
      defaultValue = "child",
      description =
          "child (a separate JVM, so the detector's heap is measured alone) or in-process"
              + " (default: ${DEFAULT-VALUE}).")
  String embeddedBroker;

  @Option(
      names = "--partitions",
      defaultValue = "4",
      description =
          "Partitions of the input topic; a multiple of the stream threads (one per CPU) keeps"
              + " them equally busy (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--devices",
      defaultValue = "50000",
      description = "Distinct devices (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(
      names = "--intrusions-per-million",
      defaultValue = "333",
      description =
          "Intrusion or near-miss scenarios started per million events; 333 makes about 0.1 %%"
              + " of events match (default: ${DEFAULT-VALUE}).")
  double intrusionsPerMillion;

  @Option(
      names = "--profile",
      defaultValue = "kql",
      description = "Built-in rule profile (default: ${DEFAULT-VALUE}).")
  String profile;

  @Option(
      names = "--commit-interval-ms",
      description = "commit.interval.ms of the detector (default: Kafka Streams' 100 under EOS).")
  Integer commitIntervalMs;

  @Option(
      names = "-D",
      paramLabel = "KEY=VALUE",
      description =
          "A Kafka client or Streams setting for the detector and the raw consumer; repeatable.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(
      names = "--warmup",
      defaultValue = "true",
      negatable = true,
      fallbackValue = "true",
      description =
          "Run rounds of phases (a) and (b) untimed over the same topic (--warmup-rounds)"
              + " before the timed ones, so that both are measured on JIT-compiled code, as a"
              + " long-running detector is; --no-warmup measures them cold (default:"
              + " ${DEFAULT-VALUE}).")
  boolean warmup;

  @Option(
      names = "--warmup-rounds",
      defaultValue = "10",
      description =
          "Untimed rounds of phases (a) then (b); 0 is --no-warmup (default: ${DEFAULT-VALUE};"
              + " after five, the JIT still compiled for up to 2 s of a timed round's detector"
              + " phase).")
  int warmupRounds;

  @Option(
      names = "--rounds",
      defaultValue = "5",
      description =
          "Timed rounds of phases (a) then (b); the figures are their medians (default:"
              + " ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed.")
  long seed;

  @Override
  public Integer call() throws Exception {
    if (!BenchOptions.FORMATS.contains(format)) {
      throw new ParameterException(
          spec.commandLine(),
          "--format must be one of " + String.join(", ", BenchOptions.FORMATS) + ": " + format);
    }
    if (!"child".equals(embeddedBroker) && !"in-process".equals(embeddedBroker)) {
      throw new ParameterException(
          spec.commandLine(), "--embedded-broker must be child or in-process");
    }
    if (events < 1 || partitions < 1 || devices < 1 || rate < 1 || duration < 0) {
      throw new ParameterException(
          spec.commandLine(), "--events, --partitions, --devices, --rate must be positive");
    }
    if (warmupRounds < 0 || rounds < 1) {
      throw new ParameterException(
          spec.commandLine(), "--warmup-rounds must be 0 or more, --rounds 1 or more");
    }
    BenchOptions options =
        new BenchOptions(
            events,
            rate,
            duration,
            format,
            bootstrapServers,
            embeddedBroker,
            partitions,
            devices,
            intrusionsPerMillion,
            profile,
            overrides,
            warmup ? warmupRounds : 0,
            rounds,
            seed);
    PrintWriter err = spec.commandLine().getErr();
    RuleSpec rule = RuleFiles.builtIn(profile);
    String runId = Long.toString(System.currentTimeMillis(), 36);
    String registryUrl = schemaRegistryUrl != null ? schemaRegistryUrl : "mock://bench-" + runId;
    RegistryConfig registryConfig = RegistryConfig.of(registryUrl);
    Report report = new Report();
    try (Brokers brokers = Brokers.start(bootstrapServers, embeddedBroker, err);
        SchemaRegistryClient registry = SchemaRegistryClients.create(registryConfig)) {
      Map<String, Object> base = new HashMap<>();
      base.put("bootstrap.servers", brokers.bootstrapServers());
      base.putAll(overrides);
      if (commitIntervalMs != null) {
        base.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
      }
      new Bench(
              options,
              base,
              registry,
              registryConfig,
              rule,
              "bench-" + runId,
              brokers.replication(),
              report,
              err,
              brokers::cpuNanos,
              brokers::jitCpuNanos)
          .run();
    }
    report.print(spec.commandLine().getOut());
    return 0;
  }
}
