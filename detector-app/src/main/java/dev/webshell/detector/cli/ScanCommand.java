package dev.webshell.detector.cli;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.offline.Scanner;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.topology.DetectorClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "scan",
    description = {
      "Run the detector offline over a file of JSON lines (Defender rows or Streaming API"
          + " envelopes, Sysmon, Winlogbeat, ECS or Windows Security 4688 records; each line's"
          + " format is detected), in file order, with the same topology as `run`.",
      "Prints every alert revision as one JSON line on stdout; unreadable lines are reported on"
          + " stderr with their line number and do not stop the scan.",
      "Exit code: 0, or 1 when the input cannot be read at all."
    },
    mixinStandardHelpOptions = true)
public final class ScanCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      defaultValue = "-",
      paramLabel = "FILE|-",
      description = "JSON lines to scan; '-' (default) reads standard input.")
  String file;

  @Option(
      names = "--input-format",
      defaultValue = "json",
      description =
          "json (each line detected; auto means the same here), defender, sysmon, ecs or"
              + " windows-security (default: ${DEFAULT-VALUE}).")
  String inputFormat;

  @Mixin RuleOptions ruleOptions;

  @Mixin ClockOptions clock;

  @Option(
      names = "--alert-format",
      defaultValue = "json",
      converter = AlertFormatConverter.class,
      description =
          "json (the Avro alert's fields), ocsf (OCSF Detection Finding) or ecs (Elastic Common"
              + " Schema alert), one JSON object per line (default: ${DEFAULT-VALUE}).")
  AlertFormat alertFormat;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    InputFormat format;
    try {
      format = InputFormat.parse(inputFormat);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (format == InputFormat.AUTO) {
      format =
          InputFormat.JSON; // lines hold no Avro: auto (say, from DETECTOR_INPUT_FORMAT) is json
    }
    if (!format.isJson()) {
      throw new ParameterException(
          spec.commandLine(),
          "scan reads JSON lines: --input-format " + format.cliName() + " is not one");
    }
    RuleSpec rule = ruleOptions.resolve(spec.commandLine());
    if (!alertFormat.isText()) {
      throw new ParameterException(
          spec.commandLine(), "scan prints alerts as text: --alert-format json, ocsf or ecs");
    }
    DetectorClock detectorClock =
        DetectorClock.fixedAt(Instant.now(), clock.tolerance(spec.commandLine()));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long started = System.nanoTime();
    try (InputStream in = "-".equals(file) ? System.in : Files.newInputStream(Path.of(file));
        Scanner scanner = new Scanner(rule, detectorClock, format, alertFormat)) {
      scanner.scan(in, out::println, err::println);
      out.flush();
      double secs = (System.nanoTime() - started) / 1e9;
      long skipped = scanner.skipped().values().stream().mapToLong(Long::longValue).sum();
      err.printf(
          "scan: %d lines, %d alert revisions, %d unreadable, %d skipped%s, %.1f s%n",
          scanner.lines(),
          scanner.revisions(),
          scanner.problems(),
          skipped,
          skipped == 0 ? "" : " " + scanner.skipped(),
          secs);
      return 0;
    } catch (NoSuchFileException e) {
      err.println("scan: cannot read " + file + ": no such file");
      return 1;
    } catch (IOException | UncheckedIOException e) {
      out.flush();
      err.println("scan: cannot read " + file + ": " + e.getMessage());
      return 1;
    }
  }
}
