package dev.webshell.detector.cli;

import dev.webshell.detector.rule.RuleFileException;
import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.service.StartupException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Which rule to run: a built-in profile ({@code --profile}) or a rule file ({@code --rules}). */
public final class RuleOptions {
  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description =
          "Built-in rule: kql (the query exactly; default) or hardened (blind spots closed, see"
              + " docs/rules.md). Env: DETECTOR_PROFILE.")
  String profile;

  @Option(
      names = "--rules",
      paramLabel = "FILE",
      description =
          "A rule file (YAML; see docs/rules.md) replacing the built-in rule. Env: DETECTOR_RULES.")
  Path rules;

  RuleSpec resolve(CommandLine commandLine) {
    if (rules != null && profile != null) {
      throw new ParameterException(commandLine, "give --profile or --rules, not both");
    }
    if (rules != null) {
      try {
        return RuleFiles.load(rules);
      } catch (RuleFileException e) {
        throw new StartupException(e.getMessage());
      }
    }
    String name = profile == null ? RuleFiles.DEFAULT_PROFILE : profile;
    try {
      return RuleFiles.builtIn(name);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(commandLine, e.getMessage());
    }
  }
}
