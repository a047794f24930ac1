package dev.webshell.detector.cli;

import java.nio.file.Path;
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
}
