package dev.webshell.detector.cli;

import dev.webshell.detector.registry.RegistryConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How to reach a Confluent-compatible schema registry (Confluent, Apicurio, Redpanda, Karapace).
 */
public final class RegistryOptions {
  @Option(
      names = "--schema-registry-url",
      paramLabel = "URL[,URL…]",
      description =
          "Confluent-compatible schema registry, e.g. http://registry:8081 or Apicurio's"
              + " http://host:8080/apis/ccompat/v7; mock://NAME for an in-memory one. Env:"
              + " DETECTOR_SCHEMA_REGISTRY_URL.")
  String url;

  @Option(
      names = "--schema-registry-user",
      paramLabel = "USER",
      description = "Basic-auth user. Env: DETECTOR_SCHEMA_REGISTRY_USER.")
  String user;

  @Option(
      names = "--schema-registry-password-file",
      paramLabel = "FILE",
      description =
          "File holding the basic-auth password (or set DETECTOR_SCHEMA_REGISTRY_PASSWORD).")
  Path passwordFile;

  @Option(
      names = "--schema-registry-truststore",
      paramLabel = "FILE",
      description = "Truststore (PKCS12 or JKS) for the registry's TLS certificate.")
  Path truststore;

  @Option(
      names = "--schema-registry-truststore-password-file",
      paramLabel = "FILE",
      description = "File holding the truststore password.")
  Path truststorePasswordFile;

  RegistryConfig config() {
    if (url == null || url.isBlank()) {
      return null;
    }
    RegistryConfig.Builder b = RegistryConfig.builder(url.trim());
    if (user != null) {
      if (passwordFile != null) {
        b.basicAuthPasswordFile(user, passwordFile);
      } else {
        String password = System.getenv("DETECTOR_SCHEMA_REGISTRY_PASSWORD");
        b.basicAuth(user, password == null ? "" : password);
      }
    }
    if (truststore != null) {
      String password =
          truststorePasswordFile == null ? null : Secrets.read(truststorePasswordFile);
      b.truststore(truststore, password, truststore.toString().endsWith(".jks") ? "JKS" : "PKCS12");
    }
    return b.build();
  }
}
