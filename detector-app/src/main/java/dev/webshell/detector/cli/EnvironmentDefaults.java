package dev.webshell.detector.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults from the environment: {@code --bootstrap-servers} ← {@code
 * DETECTOR_BOOTSTRAP_SERVERS}. Flags given on the command line win.
 */
public final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {
  private final Map<String, String> env;

  public EnvironmentDefaults(Map<String, String> env) {
    this.env = env;
  }

  /** The variable that sets an option: {@code --input-topics} → {@code DETECTOR_INPUT_TOPICS}. */
  public static String variableFor(String longName) {
    String bare = longName.replaceFirst("^-+", "");
    return "DETECTOR_" + bare.replace('-', '_').replace('.', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (arg instanceof OptionSpec option && option.longestName().startsWith("--")) {
      String value = env.get(variableFor(option.longestName()));
      if (value != null && !value.isEmpty()) {
        return value;
      }
    }
    return arg.defaultValue();
  }
}
