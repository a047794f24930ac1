package dev.webshell.detector.service;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Kafka client and Streams settings from the user: {@code bootstrap.servers}, a properties file
 * ({@code --kafka-config}, e.g. SASL and TLS) and {@code -D key=value} overrides, in that order of
 * increasing precedence. Secrets can stay out of the file with Kafka's own config providers ({@code
 * ${file:…}}, {@code ${env:…}}).
 */
public final class ClientConfig {
  private ClientConfig() {}

  public static Map<String, Object> build(
      String bootstrapServers, Path kafkaConfigFile, Map<String, String> overrides) {
    Map<String, Object> config = properties(kafkaConfigFile, overrides);
    if (bootstrapServers != null && !bootstrapServers.isBlank()) {
      config.put("bootstrap.servers", bootstrapServers);
    }
    if (!config.containsKey("bootstrap.servers")) {
      throw new StartupException(
          "no Kafka brokers given: use --bootstrap-servers or DETECTOR_BOOTSTRAP_SERVERS");
    }
    return config;
  }

  /** The properties file's settings, then the overrides; no check. */
  public static Map<String, Object> properties(
      Path kafkaConfigFile, Map<String, String> overrides) {
    Map<String, Object> config = new TreeMap<>();
    if (kafkaConfigFile != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(kafkaConfigFile, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException e) {
        throw new StartupException(
            "cannot read --kafka-config " + kafkaConfigFile + ": " + e.getClass().getSimpleName());
      }
      p.stringPropertyNames().forEach(k -> config.put(k, p.getProperty(k).trim()));
    }
    if (overrides != null) {
      config.putAll(overrides);
    }
    return config;
  }

  /** A key whose value must never be printed. */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password")
        || k.contains("secret")
        || k.contains("jaas")
        || k.contains("token")
        || k.contains("credentials")
        || k.endsWith(".key")
        || k.contains("keystore.key")
        || k.contains("certificate.chain") && k.contains("keystore");
  }

  /** The settings as one line, secrets hidden. */
  public static String describe(Map<String, Object> config) {
    StringBuilder b = new StringBuilder();
    config.forEach(
        (k, v) -> {
          if (b.length() > 0) {
            b.append(", ");
          }
          b.append(k).append('=').append(isSecret(k) ? "[hidden]" : String.valueOf(v));
        });
    return b.toString();
  }
}
