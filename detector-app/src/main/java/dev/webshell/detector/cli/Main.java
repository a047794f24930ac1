package dev.webshell.detector.cli;

import dev.webshell.detector.ops.Version;
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
    subcommands = {ScanCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setDefaultValueProvider(new EnvironmentDefaults(System.getenv()));
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"detector " + Version.get()};
    }
  }
}
