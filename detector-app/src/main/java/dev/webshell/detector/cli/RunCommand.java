package dev.webshell.detector.cli;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.ops.logging.LogFormat;
import dev.webshell.detector.ops.logging.Logging;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.detector.service.ProcessingGuarantee;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "run",
    description = {
      "Run the detector as a Kafka Streams service on your cluster until SIGTERM.",
      "Every option can also come from an environment variable DETECTOR_<OPTION> (e.g."
          + " DETECTOR_BOOTSTRAP_SERVERS) or from --config FILE (option names without dashes as"
          + " keys: bootstrap-servers=…). Precedence: flags, then --config, then environment,"
          + " then defaults.",
      "Exit codes: 0 after SIGTERM, 1 on a start-up check or fatal error (one line on stderr),"
          + " 2 on a usage error."
    },
    mixinStandardHelpOptions = true,
    sortOptions = false)
public final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ConfigFileOption config;

  @Mixin KafkaOptions kafka;

  @Mixin InputOptions input;

  @Option(
      names = "--output-topic",
      defaultValue = "alerts",
      description = "Alert topic (default: ${DEFAULT-VALUE}).")
  String outputTopic;

  @Option(
      names = "--dlq-topic",
      defaultValue = "alerts.dead-letters",
      description = "Dead-letter topic for unreadable records (default: ${DEFAULT-VALUE}).")
  String dlqTopic;

  @Option(
      names = "--application-id",
      defaultValue = "web-shell-detector",
      description =
          "Kafka Streams application id: consumer group, internal topic prefix, transactional"
              + " id (default: ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(
      names = "--state-dir",
      defaultValue = "${java.io.tmpdir}/web-shell-detector",
      description =
          "Local state (RocksDB); keep it on a persistent volume (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(
      names = "--input-format",
      defaultValue = "auto",
      description =
          "auto (per record: byte 0 → Confluent Avro, '{' → JSON of any kind), avro, json (any"
              + " JSON: Defender, Sysmon, Winlogbeat, ECS, 4688, detected per record), defender,"
              + " sysmon, ecs or windows-security (see docs/inputs.md) (default: ${DEFAULT-VALUE}).")
  String inputFormat;

  @Option(
      names = "--alert-format",
      defaultValue = "avro",
      converter = AlertFormatConverter.class,
      description =
          "avro (Confluent wire format, subject <topic>-value), json (the same fields as JSON),"
              + " ocsf (OCSF 1.3.0 Detection Finding) or ecs (Elastic Common Schema alert); see"
              + " docs/siem.md (default: ${DEFAULT-VALUE}).")
  AlertFormat alertFormat;

  @Mixin RegistryOptions registry;

  @Mixin RuleOptions rule;

  @Mixin ClockOptions clock;

  @Option(
      names = "--metrics-port",
      defaultValue = "9464",
      description =
          "Port of GET /metrics, /health/live, /health/ready; -1 turns it off (default:"
              + " ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(
      names = "--create-topics",
      description = "Create the output and dead-letter topics when missing.")
  boolean createTopics;

  @Option(
      names = "--partitions",
      defaultValue = "3",
      description = "Partitions of topics created by --create-topics (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--replication-factor",
      defaultValue = "-1",
      description =
          "Replication of created topics; -1 = the broker's default (default: ${DEFAULT-VALUE}).")
  short replicationFactor;

  @Option(
      names = "--processing-guarantee",
      defaultValue = "exactly_once_v2",
      description =
          "exactly_once_v2 (needs brokers 2.5+ and, for production, 3 brokers with"
              + " transaction.state.log settings) or at_least_once (default: ${DEFAULT-VALUE}).")
  String processingGuarantee;

  @Option(
      names = "--num-standby-replicas",
      defaultValue = "0",
      description =
          "Warm copies of each state store on other instances (default: ${DEFAULT-VALUE}).")
  int standbyReplicas;

  @Option(
      names = "--stream-threads",
      paramLabel = "N",
      description =
          "Kafka Streams threads of this instance (default: one per CPU available to the JVM;"
              + " threads beyond the input's partitions stay idle).")
  Integer streamThreads;

  @Option(
      names = "--log-format",
      defaultValue = "human",
      description =
          "human (lines with time, level, source) or json (one JSON object per line: time, level,"
              + " logger, thread, message, exception) on stderr (default: ${DEFAULT-VALUE}).")
  String logFormat;

  @Override
  public Integer call() {
    try {
      Logging.useFormat(LogFormat.parse(logFormat));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Pattern pattern = input.pattern(spec.commandLine());
    List<String> inputTopics = input.topics(spec.commandLine());
    ProcessingGuarantee guarantee;
    try {
      guarantee = ProcessingGuarantee.parse(processingGuarantee);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    InputFormat format;
    try {
      format = InputFormat.parse(inputFormat);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (streamThreads != null && streamThreads < 1) {
      throw new ParameterException(spec.commandLine(), "--stream-threads must be 1 or more");
    }
    Map<String, Object> client = new HashMap<>(kafka.clientConfig());
    if (streamThreads != null) {
      client.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
    }
    DetectorService.Settings settings =
        DetectorService.Settings.builder(client)
            .inputTopics(inputTopics)
            .inputPattern(pattern)
            .outputTopic(outputTopic)
            .deadLetterTopic(dlqTopic)
            .applicationId(applicationId)
            .stateDir(stateDir)
            .inputFormat(format)
            .alertFormat(alertFormat)
            .registry(registry.config(kafka, config))
            .rule(rule.resolve(spec.commandLine()))
            .metricsPort(metricsPort)
            .createTopics(createTopics)
            .partitions(partitions)
            .replicationFactor(replicationFactor)
            .processingGuarantee(guarantee)
            .standbyReplicas(standbyReplicas)
            .clockSkewTolerance(clock.tolerance(spec.commandLine()))
            .build();
    return new DetectorService(settings).run();
  }
}
