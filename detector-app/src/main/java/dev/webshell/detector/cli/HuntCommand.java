package dev.webshell.detector.cli;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.hunt.Hunt;
import dev.webshell.detector.hunt.HuntResult;
import dev.webshell.detector.hunt.HuntSettings;
import dev.webshell.detector.hunt.TimeSpecs;
import dev.webshell.detector.ops.RootCause;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.service.StartupException;
import dev.webshell.detector.topology.DetectorClock;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "hunt",
    description = {
      "Retro-hunt: replay Kafka topics over the event-time range [--from, --to) with the live"
          + " detector's topology, print the alert revisions it would have raised, and end.",
      "Runs under its own application id (web-shell-detector-hunt-<uuid>): the live detector's"
          + " offsets, state and topics are never touched; the hunt's internal topics, consumer"
          + " group and local state are deleted when it ends (also on Ctrl-C). See docs/hunt.md.",
      "Alert revisions go to stdout as JSON lines (or to --output-topic); progress and a summary"
          + " to stderr.",
      "Exit codes: 0 when the hunt ran to its end, 1 on a start-up check or failure, 2 on a usage"
          + " error, 3 when the result is inconclusive (records that may hold events of the range"
          + " were not read; the last line says what to change), 130 after Ctrl-C (143 after"
          + " SIGTERM); it cleans up first."
    },
    mixinStandardHelpOptions = true,
    sortOptions = false)
public final class HuntCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ConfigFileOption config;

  @Mixin KafkaOptions kafka;

  @Mixin InputOptions input;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "TIME",
      description =
          "First event time of the hunt (inclusive): 2021-04-14T00:00:00Z, 2021-04-14 (UTC),"
              + " now-30d.")
  String from;

  @Option(
      names = "--to",
      defaultValue = "now",
      paramLabel = "TIME",
      description =
          "End of the hunt (exclusive), same forms as --from (default: ${DEFAULT-VALUE}).")
  String to;

  @Option(
      names = "--slack",
      paramLabel = "DURATION",
      description =
          "How far record timestamps may lie from event times: reading starts at the first record"
              + " stamped at or after from - slack and stops at the first stamped at or after"
              + " to + slack; refused when samples of what it leaves out hold events of the range."
              + " 90s, 15m, 1h, 2d, 0, or 'unbounded' (every record up to the end at start)."
              + " Default: 1h where samples confirm that record timestamps follow event times,"
              + " else every record.")
  String slack;

  @Option(
      names = "--input-format",
      defaultValue = "auto",
      description =
          "auto (per record: byte 0 → Confluent Avro, '{' → JSON of any kind), avro, json (any"
              + " JSON: Defender, Sysmon, Winlogbeat, ECS, 4688, detected per record), defender,"
              + " sysmon, ecs or windows-security (see docs/inputs.md) (default: ${DEFAULT-VALUE}).")
  String inputFormat;

  @Option(
      names = "--output-topic",
      paramLabel = "TOPIC",
      description =
          "Write alert revisions to this existing topic instead of stdout. Only taken from the"
              + " command line, never from the environment or --config (the live alert topic).")
  String outputTopic;

  @Option(
      names = "--alert-format",
      defaultValue = "json",
      converter = AlertFormatConverter.class,
      description =
          "json (default), ocsf (OCSF Detection Finding) or ecs (Elastic Common Schema), on"
              + " stdout or --output-topic; or avro (with --output-topic and a schema registry).")
  AlertFormat alertFormat;

  @Option(
      names = "--dlq-topic",
      paramLabel = "TOPIC",
      description =
          "Write dead letters to this existing topic. Default: a private topic, counted, sampled in"
              + " the summary and deleted. Only taken from the command line.")
  String dlqTopic;

  @Mixin RegistryOptions registry;

  @Mixin RuleOptions rule;

  @Mixin ClockOptions clock;

  @Option(
      names = "--processing-guarantee",
      defaultValue = "exactly_once_v2",
      description = "exactly_once_v2 or at_least_once (default: ${DEFAULT-VALUE}).")
  String processingGuarantee;

  @Option(
      names = "--state-dir",
      defaultValue = "${java.io.tmpdir}/web-shell-detector-hunt",
      description =
          "Parent of the hunt's local state; its own subdirectory is deleted afterwards (default:"
              + " ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(
      names = "--progress-interval",
      defaultValue = "10s",
      paramLabel = "DURATION",
      description =
          "How often a progress line is written when stderr is not a terminal (default:"
              + " ${DEFAULT-VALUE}).")
  String progressInterval;

  @Override
  public Integer call() {
    var cl = spec.commandLine();
    Pattern pattern = input.pattern(cl);
    List<String> inputTopics = input.topics(cl);
    if (!List.of("exactly_once_v2", "at_least_once").contains(processingGuarantee)) {
      throw new ParameterException(
          cl, "--processing-guarantee must be exactly_once_v2 or at_least_once");
    }
    PrintWriter out = cl.getOut();
    PrintWriter err = cl.getErr();
    // The live detector's topics may be set in the environment or a shared --config: a hunt
    // writes to a topic only when told so on its own command line.
    var parsed = cl.getParseResult();
    String output =
        parsed != null && parsed.hasMatchedOption("--output-topic") ? outputTopic : null;
    String dlq = parsed != null && parsed.hasMatchedOption("--dlq-topic") ? dlqTopic : null;
    if (outputTopic != null && output == null || dlqTopic != null && dlq == null) {
      err.println(
          "hunt: ignoring --output-topic/--dlq-topic from the environment or --config; give them"
              + " on the command line to write there");
    }
    Instant now = Instant.now();
    HuntSettings settings;
    try {
      InputFormat format = InputFormat.parse(inputFormat);
      Duration slackDuration =
          slack == null
              ? HuntSettings.DEFAULT_SLACK
              : "unbounded".equalsIgnoreCase(slack.trim()) ? null : TimeSpecs.duration(slack);
      settings =
          new HuntSettings(
              kafka.clientConfig(),
              inputTopics,
              pattern,
              TimeSpecs.instant(from, now),
              TimeSpecs.instant(to, now),
              slackDuration,
              slack != null,
              format,
              registry.config(kafka, config),
              rule.resolve(cl),
              output,
              alertFormat,
              dlq,
              processingGuarantee,
              stateDir,
              TimeSpecs.duration(progressInterval),
              DetectorClock.fixedAt(now, clock.tolerance(cl)));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cl, e.getMessage());
    }
    Hunt hunt = new Hunt(settings, err, System.console() != null);
    Thread hook =
        new Thread(
            () -> {
              hunt.cancel();
              try {
                hunt.awaitFinished(Duration.ofSeconds(90));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              out.flush();
              err.flush();
            },
            "hunt-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      HuntResult result = hunt.run(line -> out.println(line));
      out.flush();
      if (result.interrupted()) {
        return 130;
      }
      return result.inconclusive() == null ? 0 : 3;
    } catch (StartupException e) {
      throw e;
    } catch (RuntimeException e) {
      out.flush();
      err.println("hunt: failed: " + RootCause.message(e));
      return 1;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down (Ctrl-C): the hook is running and waits for the clean-up
      }
    }
  }
}
