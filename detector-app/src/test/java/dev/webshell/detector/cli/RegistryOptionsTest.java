package dev.webshell.detector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.service.StartupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The registry options of {@code run}: flags, Confluent's property names in {@code --kafka-config}
 * or {@code --config}, and secrets that are never replaced by empty ones.
 */
class RegistryOptionsTest {
  private static final String SECRET = "Reg-secret-27";
  @TempDir Path dir;

  private RunCommand parse(String... args) {
    RunCommand run = new RunCommand();
    CommandLine cl = new CommandLine(run);
    cl.setDefaultValueProvider(
        new ConfigFileDefaults(ConfigFileDefaults.find(args), new EnvironmentDefaults(Map.of())));
    cl.parseArgs(args);
    return run;
  }

  private Path file(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  private static RegistryConfig config(RunCommand run, String passwordEnv) {
    Map<String, Object> props = new java.util.HashMap<>(run.kafka.properties());
    props.putAll(run.config.properties());
    return run.registry.config(props, passwordEnv);
  }

  @Test
  void shouldReadConfluentsPropertiesFromTheKafkaConfigFile() throws Exception {
    Path kafka =
        file(
            "client.properties",
            "bootstrap.servers=kafka:9092\n"
                + "schema.registry.url=http://sr:8081\n"
                + "basic.auth.credentials.source=USER_INFO\n"
                + "basic.auth.user.info=detector:"
                + SECRET
                + "\n");
    RegistryConfig c = config(parse("--kafka-config", kafka.toString()), null);
    assertEquals("http://sr:8081", c.urlsForDisplay());
    assertEquals(SECRET, c.basicAuthPassword());
  }

  @Test
  void shouldReadThemFromConfigTooAndLetFlagsWin() throws Exception {
    Path config =
        file(
            "detector.properties",
            "bootstrap-servers=kafka:9092\nschema.registry.url=http://from-config:8081\n");
    assertEquals(
        "http://from-config:8081",
        config(parse("--config", config.toString()), null).urlsForDisplay());
    assertEquals(
        "http://flag:8081",
        config(
                parse("--config", config.toString(), "--schema-registry-url", "http://flag:8081"),
                null)
            .urlsForDisplay());
    assertNull(config(parse(), null), "no registry anywhere: none");
  }

  @Test
  void shouldRefuseAUserWithoutPasswordInsteadOfSendingAnEmptyOne() {
    RunCommand run =
        parse("--schema-registry-url", "http://sr:8081", "--schema-registry-user", "detector");
    StartupException e = assertThrows(StartupException.class, () -> config(run, null));
    assertTrue(e.getMessage().contains("has no password"), e.getMessage());
    assertEquals(SECRET, config(run, SECRET).basicAuthPassword());
    StartupException empty = assertThrows(StartupException.class, () -> config(run, ""));
    assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
  }

  @Test
  void shouldTakeAKeystoreForMutualTlsAndRefuseItWithoutItsPassword() throws Exception {
    Path password = file("ks-password", SECRET + "\n");
    RunCommand run =
        parse(
            "--schema-registry-url", "https://sr:8081",
            "--schema-registry-keystore", "/etc/tls/client.p12",
            "--schema-registry-keystore-password-file", password.toString(),
            "--schema-registry-truststore", "/etc/tls/trust.jks",
            "--schema-registry-truststore-password-file", password.toString());
    RegistryConfig c = config(run, null);
    assertEquals(Path.of("/etc/tls/client.p12"), c.keystorePath());
    assertEquals(SECRET, c.keystorePassword());
    assertEquals("PKCS12", c.keystoreType());
    assertEquals("JKS", c.truststoreType());

    RunCommand missing =
        parse(
            "--schema-registry-url",
            "https://sr:8081",
            "--schema-registry-keystore",
            "/etc/tls/client.p12");
    StartupException e = assertThrows(StartupException.class, () -> config(missing, null));
    assertEquals(
        "--schema-registry-keystore needs --schema-registry-keystore-password-file",
        e.getMessage());
    Path empty = file("empty", "\n");
    StartupException blank =
        assertThrows(
            StartupException.class,
            () ->
                config(
                    parse(
                        "--schema-registry-url",
                        "https://sr:8081",
                        "--schema-registry-truststore",
                        "/t.p12",
                        "--schema-registry-truststore-password-file",
                        empty.toString()),
                    null));
    assertTrue(blank.getMessage().contains("is empty"), blank.getMessage());
  }

  @Test
  void shouldListTheKeystoreOptionsInTheHelp() {
    String help = new CommandLine(new RunCommand()).getUsageMessage();
    for (String option :
        new String[] {
          "--schema-registry-keystore",
          "--schema-registry-keystore-password-file",
          "--schema-registry-key-password-file",
          "--schema-registry-bearer-token-file"
        }) {
      assertTrue(help.contains(option), option);
    }
  }
}
