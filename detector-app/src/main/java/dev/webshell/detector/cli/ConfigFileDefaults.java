package dev.webshell.detector.cli;

import dev.webshell.detector.service.StartupException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults from a properties file given with {@code --config FILE}: keys are option names
 * without the leading dashes ({@code bootstrap-servers=…}); options it does not set fall back to
 * the next provider (the environment).
 */
final class ConfigFileDefaults implements CommandLine.IDefaultValueProvider {
  private final Properties values;
  private final CommandLine.IDefaultValueProvider next;

  ConfigFileDefaults(Path file, CommandLine.IDefaultValueProvider next) {
    this.next = next;
    this.values = file == null ? new Properties() : load(file);
  }

  /** The properties of {@code --config FILE}. */
  static Properties load(Path file) {
    Properties values = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      values.load(r);
    } catch (IOException e) {
      throw new StartupException(
          "cannot read --config " + file + ": " + e.getClass().getSimpleName());
    }
    return values;
  }

  /** The value of {@code --config FILE} or {@code --config=FILE} among the arguments. */
  static Path find(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if ("--config".equals(args[i]) && i + 1 < args.length) {
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--config=")) {
        return Path.of(args[i].substring("--config=".length()));
      }
    }
    return null;
  }

  @Override
  public String defaultValue(ArgSpec arg) throws Exception {
    if (arg instanceof OptionSpec option && option.longestName().startsWith("--")) {
      String key = option.longestName().substring(2);
      String v = values.getProperty(key);
      if (v != null) {
        return v.trim();
      }
    }
    return next.defaultValue(arg);
  }
}
