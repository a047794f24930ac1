package dev.webshell.detector.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE}. Main reads the file before parsing ({@link ConfigFileDefaults}); the
 * option is declared here so that commands accept it and list it in their help.
 */
public final class ConfigFileOption {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Options as a properties file (read before the other options are applied).")
  Path config;

  /** Every key of the file (option names and, for the registry, Confluent's property names). */
  Map<String, String> properties() {
    Map<String, String> m = new TreeMap<>();
    if (config != null) {
      ConfigFileDefaults.load(config).forEach((k, v) -> m.put(k.toString(), v.toString().trim()));
    }
    return m;
  }
}
