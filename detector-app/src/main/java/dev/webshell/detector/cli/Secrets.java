package dev.webshell.detector.cli;

import dev.webshell.detector.service.StartupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a secret from a file (trailing newline dropped); errors never show its content. */
final class Secrets {
  private Secrets() {}

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new StartupException("cannot read secret file " + file);
    }
  }
}
