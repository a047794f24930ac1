package dev.webshell.demo;

import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.detector.rule.RuleSpec;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code detector demo}: the detector end to end on this machine, nothing to install or run first.
 * Registered by {@code Main} only when this class is on the classpath (the launcher puts it there;
 * the production image does not).
 *
 * <p>This class references nothing from the test kit, so {@code --help} works without it; {@link
 * Demo} does the work.
 */
@Command(
    name = "demo",
    description = {
      "Demo on a real broker, nothing to set up: alerts on a realistic stream in under a minute.",
      "Starts Kafka (KRaft, in-process) and a schema registry (Apicurio, child JVM), runs the"
          + " detector (Avro in and out, exactly_once_v2), produces a realistic stream (benign"
          + " events on many devices, an Operation Soft Cell intrusion on an IIS server, a Tomcat"
          + " web shell, near-misses), prints each alert revision as it arrives, then a summary,"
          + " and exits 0. Everything it starts is stopped on exit, also on Ctrl-C.",
      "With --input sysmon, the stream is Windows process trees as Sysmon logs them (JSON"
          + " keyed by host, the detector reading --input-format auto), and the alerts show a web"
          + " server's grandchild matched through its grandparent (w3wp.exe > cmd.exe >"
          + " powershell.exe), which Sysmon does not carry and the detector's process tree gives.",
      "Kafka's, the detector's and the registry's logs go to files in a temporary directory,"
          + " whose path it prints first (kept when the demo fails); stderr gets only the"
          + " detector's own warnings."
    },
    mixinStandardHelpOptions = true,
    sortOptions = false)
public final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--input",
      defaultValue = "defender",
      description =
          "defender (Defender DeviceProcessEvents rows, Confluent Avro) or sysmon (Sysmon process"
              + " creations and other Sysmon records as JSON, keyed by host: web servers'"
              + " children and grandchildren, read with --input-format auto) (default:"
              + " ${DEFAULT-VALUE}).")
  String input;

  @Option(
      names = "--events",
      defaultValue = "10000",
      description =
          "Events (with --input sysmon: records) in the scripted batch, at least 1000 (default:"
              + " ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--devices",
      defaultValue = "500",
      description =
          "Devices (hosts) sending events; every 5th is a web server (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(
      names = "--rate",
      defaultValue = "2500",
      description =
          "Events per second of the batch; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--registry",
      defaultValue = "apicurio",
      description =
          "apicurio (a real registry, child JVM, ~3-5 s to start) or mock (in memory,"
              + " mock://demo) (default: ${DEFAULT-VALUE}).")
  String registry;

  @Option(
      names = "--profile",
      defaultValue = "kql",
      description =
          "Built-in rule: kql (the query exactly) or hardened (also flags the near-misses)"
              + " (default: ${DEFAULT-VALUE}).")
  String profile;

  @Option(
      names = "--follow",
      description = "After the batch, keep generating at --follow-rate and printing until Ctrl-C.")
  boolean follow;

  @Option(
      names = "--follow-rate",
      defaultValue = "20",
      description = "Events per second with --follow (default: ${DEFAULT-VALUE}).")
  double followRate;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Random seed of the traffic (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--metrics-port",
      defaultValue = "0",
      description =
          "Port of the detector's /metrics and /health endpoints; 0 = any free port, -1 = off"
              + " (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(
      names = "--color",
      defaultValue = "auto",
      description =
          "auto (when stdout is a terminal and NO_COLOR is unset), always or never (default:"
              + " ${DEFAULT-VALUE}).")
  String color;

  @Option(
      names = "--timeout",
      defaultValue = "120",
      paramLabel = "SECONDS",
      description =
          "Give up when the detector is not running, or has not caught up with the input, after"
              + " this long (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  /** Off in tests that run the command in-process: no JVM shutdown hook. */
  boolean handleSignals = true;

  /**
   * The detector's stream threads; null (the command line's only choice) for the detector's
   * default, one per CPU. Tests set it to run several threads on a machine with one CPU.
   */
  Integer streamThreads;

  @Override
  public Integer call() {
    DemoInput demoInput;
    try {
      demoInput = DemoInput.parse(input);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (events < DemoScript.MIN_EVENTS) {
      throw new ParameterException(
          spec.commandLine(), "--events must be at least " + DemoScript.MIN_EVENTS);
    }
    if (devices < 5) {
      throw new ParameterException(spec.commandLine(), "--devices must be at least 5");
    }
    if (!registry.equals("apicurio") && !registry.equals("mock")) {
      throw new ParameterException(spec.commandLine(), "--registry must be apicurio or mock");
    }
    if (!color.equals("auto") && !color.equals("always") && !color.equals("never")) {
      throw new ParameterException(spec.commandLine(), "--color must be auto, always or never");
    }
    if (followRate <= 0) {
      throw new ParameterException(spec.commandLine(), "--follow-rate must be positive");
    }
    RuleSpec rule;
    try {
      rule = RuleFiles.builtIn(profile);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    Demo.Options options =
        new Demo.Options(
            demoInput,
            events,
            devices,
            rate,
            seed,
            registry.equals("apicurio"),
            rule,
            follow,
            followRate,
            metricsPort,
            useColor(),
            Duration.ofSeconds(timeoutSeconds),
            handleSignals,
            streamThreads);
    try {
      return new Demo(options, out).run();
    } catch (NoClassDefFoundError e) {
      spec.commandLine()
          .getErr()
          .println(
              "detector: demo needs the test kit on the classpath (missing "
                  + e.getMessage()
                  + "); run it through bin/detector demo");
      return 1;
    }
  }

  private boolean useColor() {
    return switch (color) {
      case "always" -> true;
      case "never" -> false;
      default -> {
        if (System.getenv("NO_COLOR") != null && !System.getenv("NO_COLOR").isEmpty()) {
          yield false;
        }
        // the launcher knows whether stdout is a terminal ([ -t 1 ]); else ask the JVM
        String tty = System.getProperty("detector.stdout.tty");
        yield tty != null ? Boolean.parseBoolean(tty) : System.console() != null;
      }
    };
  }
}
