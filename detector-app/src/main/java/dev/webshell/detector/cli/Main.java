package dev.webshell.detector.cli;

import dev.webshell.detector.ops.Version;
import dev.webshell.detector.ops.logging.LogFormat;
import dev.webshell.detector.ops.logging.Logging;
import dev.webshell.detector.service.StartupException;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;
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
    subcommands = {
      ScanCommand.class,
      RunCommand.class,
      GenerateCommand.class,
      HuntCommand.class,
      NotifyCommand.class
    })
public final class Main implements Runnable {
  /**
   * Commands that live outside detector-app (they need the test kit, which production never ships)
   * and join the CLI only when their class is on the classpath: the launcher adds them.
   */
  static final List<String> OPTIONAL_SUBCOMMANDS =
      List.of("dev.webshell.demo.DemoCommand", "dev.webshell.bench.BenchCommand");

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
    // before the settings below, which apply to the subcommands present when they are made
    addOptionalSubcommands(cl, OPTIONAL_SUBCOMMANDS);
    cl.setDefaultValueProvider(
        new ConfigFileDefaults(
            ConfigFileDefaults.find(args), new EnvironmentDefaults(System.getenv())));
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof StartupException) {
            if (Logging.format() == LogFormat.JSON) {
              LoggerFactory.getLogger("detector").error(e.getMessage());
            } else {
              commandLine.getErr().println("detector: " + e.getMessage());
            }
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

  /**
   * Adds each picocli command class named in {@code classNames} that can be loaded; a missing one
   * is skipped silently.
   *
   * @return the names of the commands added
   */
  static List<String> addOptionalSubcommands(CommandLine cl, List<String> classNames) {
    List<String> added = new ArrayList<>();
    for (String className : classNames) {
      CommandLine sub;
      try {
        sub = new CommandLine(Class.forName(className, true, Main.class.getClassLoader()));
      } catch (ClassNotFoundException | LinkageError absent) {
        continue; // not on the classpath, or without what it needs
      }
      cl.addSubcommand(sub);
      added.add(sub.getCommandName());
    }
    return added;
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
