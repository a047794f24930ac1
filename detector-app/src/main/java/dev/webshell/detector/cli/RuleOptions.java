package dev.webshell.detector.cli;

import dev.webshell.detector.rule.RuleSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Which rule to run: {@code --profile} (built-in) or {@code --rules FILE}. */
public final class RuleOptions {
  @Option(
      names = "--profile",
      defaultValue = "kql",
      paramLabel = "NAME",
      description =
          "Built-in rule profile: kql (the query exactly; default). Env: DETECTOR_PROFILE.")
  String profile;

  RuleSpec resolve(picocli.CommandLine commandLine) {
    if ("kql".equals(profile)) {
      return RuleSpec.seed();
    }
    throw new ParameterException(commandLine, "unknown profile '" + profile + "' (available: kql)");
  }
}
