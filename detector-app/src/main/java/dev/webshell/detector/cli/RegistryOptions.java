package dev.webshell.detector.cli;

import dev.webshell.detector.registry.ConfluentClientProperties;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.service.StartupException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How to reach a Confluent-compatible schema registry (Confluent, Apicurio, Redpanda, Karapace):
 * these options, and Confluent's own property names ({@code schema.registry.url}, {@code
 * basic.auth.*}, {@code bearer.auth.*}, {@code schema.registry.ssl.*}, {@code max.retries}, …) in
 * {@code --kafka-config} or {@code --config} ({@link ConfluentClientProperties}). An option wins
 * over a property; {@code --config} over {@code --kafka-config}.
 */
public final class RegistryOptions {
  static final String PASSWORD_ENV = "DETECTOR_SCHEMA_REGISTRY_PASSWORD";

  @Option(
      names = "--schema-registry-url",
      paramLabel = "URL[,URL…]",
      description =
          "Confluent-compatible schema registry, e.g. http://registry:8081 or Apicurio's"
              + " http://host:8080/apis/ccompat/v7; mock://NAME for an in-memory one. Several"
              + " URLs are tried in turn when one fails. Also schema.registry.url in"
              + " --kafka-config or --config. Env: DETECTOR_SCHEMA_REGISTRY_URL.")
  String url;

  @Option(
      names = "--schema-registry-user",
      paramLabel = "USER",
      description =
          "Basic-auth user; its password comes from --schema-registry-password-file or "
              + PASSWORD_ENV
              + ". Env: DETECTOR_SCHEMA_REGISTRY_USER.")
  String user;

  @Option(
      names = "--schema-registry-password-file",
      paramLabel = "FILE",
      description = "File holding the basic-auth password (or set " + PASSWORD_ENV + ").")
  Path passwordFile;

  @Option(
      names = "--schema-registry-bearer-token-file",
      paramLabel = "FILE",
      description = "File holding a static bearer token (instead of basic auth).")
  Path bearerTokenFile;

  @Option(
      names = "--schema-registry-truststore",
      paramLabel = "FILE",
      description =
          "Truststore (PKCS12, or JKS when named *.jks) for the registry's TLS certificate.")
  Path truststore;

  @Option(
      names = "--schema-registry-truststore-password-file",
      paramLabel = "FILE",
      description = "File holding the truststore password (required with a truststore).")
  Path truststorePasswordFile;

  @Option(
      names = "--schema-registry-keystore",
      paramLabel = "FILE",
      description =
          "Keystore (PKCS12, or JKS when named *.jks) holding the client certificate and key for"
              + " mutual TLS with the registry.")
  Path keystore;

  @Option(
      names = "--schema-registry-keystore-password-file",
      paramLabel = "FILE",
      description = "File holding the keystore password (required with a keystore).")
  Path keystorePasswordFile;

  @Option(
      names = "--schema-registry-key-password-file",
      paramLabel = "FILE",
      description = "File holding the private key's password, when it is not the keystore's.")
  Path keyPasswordFile;

  /**
   * The registry configuration, or null when no URL is given anywhere.
   *
   * @param kafka the Kafka client properties ({@code --kafka-config}, {@code -D}), or null
   * @param configFile {@code --config}, or null for a command without it
   * @throws StartupException for an incomplete or contradictory configuration
   */
  RegistryConfig config(KafkaOptions kafka, ConfigFileOption configFile) {
    Map<String, Object> properties = new HashMap<>();
    if (kafka != null) {
      properties.putAll(kafka.properties());
    }
    if (configFile != null) {
      properties.putAll(configFile.properties());
    }
    return config(properties, System.getenv(PASSWORD_ENV));
  }

  RegistryConfig config(Map<String, ?> properties, String passwordFromEnvironment) {
    try {
      ConfluentClientProperties confluent = ConfluentClientProperties.of(properties);
      String urls = url != null && !url.isBlank() ? url.trim() : confluent.url();
      if (urls == null) {
        return null;
      }
      RegistryConfig.Builder b = RegistryConfig.builder(urls);
      confluent.applyTo(b);
      if (user != null) {
        if (passwordFile != null) {
          b.basicAuthPasswordFile(user, passwordFile);
        } else if (passwordFromEnvironment != null) {
          b.basicAuth(user, passwordFromEnvironment);
        } else {
          throw new StartupException(
              "--schema-registry-user "
                  + user
                  + " has no password: give --schema-registry-password-file or set "
                  + PASSWORD_ENV);
        }
      }
      if (bearerTokenFile != null) {
        if (user != null) {
          throw new StartupException(
              "--schema-registry-user and --schema-registry-bearer-token-file: choose one");
        }
        b.bearerToken(Secrets.read(bearerTokenFile));
      }
      if (truststore != null) {
        b.truststore(
            truststore,
            secret(truststorePasswordFile, "--schema-registry-truststore"),
            storeType(truststore));
      }
      if (keystore != null) {
        b.keystore(
            keystore,
            secret(keystorePasswordFile, "--schema-registry-keystore"),
            storeType(keystore));
        b.keyPassword(keyPasswordFile == null ? null : Secrets.read(keyPasswordFile));
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new StartupException(e.getMessage());
    }
  }

  private static String secret(Path file, String option) {
    if (file == null) {
      throw new StartupException(option + " needs " + option + "-password-file");
    }
    return Secrets.read(file);
  }

  private static String storeType(Path store) {
    return store.toString().endsWith(".jks") ? "JKS" : "PKCS12";
  }
}
