package dev.webshell.detector.cli;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** What to read: a list of topics or a topic pattern (exactly one of the two). */
public final class InputOptions {
  @Option(
      names = "--input-topics",
      split = ",",
      paramLabel = "TOPIC",
      description = "Topics with DeviceProcessEvents. Env: DETECTOR_INPUT_TOPICS.")
  List<String> topics;

  @Option(
      names = "--input-pattern",
      paramLabel = "REGEX",
      description = "Read every topic whose name matches (instead of --input-topics).")
  String pattern;

  /** The topics given, or an empty list when a pattern is. */
  List<String> topics(CommandLine commandLine) {
    check(commandLine);
    return topics == null ? List.of() : topics;
  }

  /** The compiled pattern, or null when topics are given. */
  Pattern pattern(CommandLine commandLine) {
    check(commandLine);
    if (pattern == null) {
      return null;
    }
    try {
      return Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw new ParameterException(
          commandLine, "--input-pattern is not a regular expression: " + e.getDescription());
    }
  }

  private void check(CommandLine commandLine) {
    if ((topics == null || topics.isEmpty()) == (pattern == null)) {
      throw new ParameterException(
          commandLine, "give exactly one of --input-topics or --input-pattern");
    }
  }
}
