package dev.webshell.detector.cli;

import dev.webshell.detector.ops.Version;
import dev.webshell.detector.service.StartupException;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "detector",
    description = {
      "Real-time detector of web servers spawning shells to run discovery commands"
          + " (Operation Soft Cell), on Kafka Streams.",
      "Options can also be set with environment variables DETECTOR_<OPTION> (e.g."
          + " DETECTOR_BOOTSTRAP_SERVERS); flags win."
    },
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    subcommands = {ScanCommand.class, RunCommand.class, GenerateCommand.class, HuntCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    CommandLine cl = commandLine(args);
    int code = cl.execute(args);
    cl.getOut().flush();
    System.exit(code);
  }

  /** The CLI with defaults from the environment. */
  public static CommandLine commandLine() {
    return commandLine(new String[0]);
  }

  /**
   * The CLI with defaults from {@code --config FILE} (if among the arguments), then the
   * environment.
   */
  public static CommandLine commandLine(String[] args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setDefaultValueProvider(
        new ConfigFileDefaults(
            ConfigFileDefaults.find(args), new EnvironmentDefaults(System.getenv())));
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof StartupException) {
            commandLine.getErr().println("detector: " + e.getMessage());
            return 1;
          }
          throw e;
        });
    cl.setOut(
        new PrintWriter(
            new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16),
            false));
    cl.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"detector " + Version.get()};
    }
  }
}
