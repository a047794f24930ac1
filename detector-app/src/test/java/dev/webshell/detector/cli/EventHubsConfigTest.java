package dev.webshell.detector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.service.ClientConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --kafka-config} of docs/inputs.md for Defender's Streaming API on Azure Event Hubs'
 * Kafka endpoint: SASL_SSL, PLAIN with the user {@code $ConnectionString} and the connection string
 * as password, kept in a file and brought in by a config provider. Checked as Kafka's own clients
 * read it (the provider resolved, the JAAS line parsed); no Event Hubs namespace is reached here.
 */
class EventHubsConfigTest {
  private static final String CONNECTION_STRING =
      "Endpoint=sb://contoso-defender.servicebus.windows.net/;SharedAccessKeyName=detector-listen;"
          + "SharedAccessKey=q8Zk1+Xw/3rT0pLm9sVbYc2N4hJd6eFgAaBbCcDdEe0=;"
          + "EntityPath=insights-logs-advancedhunting-deviceprocessevents";

  @TempDir Path tmp;

  private static Map<String, Object> clientConfig(Path kafkaConfig) {
    KafkaOptions options = new KafkaOptions();
    options.kafkaConfig = kafkaConfig;
    return options.clientConfig();
  }

  private Path eventHubsConfig(String passwordReference, String provider, String providerClass)
      throws Exception {
    Path file = tmp.resolve("eventhubs.properties");
    Files.write(
        file,
        List.of(
            "bootstrap.servers=contoso-defender.servicebus.windows.net:9093",
            "security.protocol=SASL_SSL",
            "sasl.mechanism=PLAIN",
            "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"$ConnectionString\" password=\""
                + passwordReference
                + "\";",
            "config.providers=" + provider,
            "config.providers." + provider + ".class=" + providerClass,
            "request.timeout.ms=60000",
            "session.timeout.ms=30000"),
        StandardCharsets.UTF_8);
    return file;
  }

  /** The login module's options after Kafka resolved and parsed {@code sasl.jaas.config}. */
  private static Map<String, ?> loginOptions(Map<String, Object> config) {
    AdminClientConfig resolved = new AdminClientConfig(config);
    List<AppConfigurationEntry> entries =
        JaasContext.loadClientContext(resolved.values()).configurationEntries();
    assertEquals(1, entries.size());
    assertEquals(
        "org.apache.kafka.common.security.plain.PlainLoginModule",
        entries.get(0).getLoginModuleName());
    return entries.get(0).getOptions();
  }

  @Test
  void shouldResolveTheConnectionStringFromAPropertiesFileThroughFileConfigProvider()
      throws Exception {
    Path secret = tmp.resolve("eventhubs-secret.properties");
    Files.writeString(secret, "connection.string=" + CONNECTION_STRING + "\n");
    Map<String, Object> config =
        clientConfig(
            eventHubsConfig(
                "${file:" + secret + ":connection.string}",
                "file",
                "org.apache.kafka.common.config.provider.FileConfigProvider"));

    assertEquals("contoso-defender.servicebus.windows.net:9093", config.get("bootstrap.servers"));
    Map<String, ?> login = loginOptions(config);
    assertEquals("$ConnectionString", login.get("username"), "'$' is no provider reference");
    assertEquals(CONNECTION_STRING, login.get("password"));
    AdminClientConfig admin = new AdminClientConfig(config);
    assertEquals("SASL_SSL", admin.getString("security.protocol"));
    assertEquals("PLAIN", admin.getString(SaslConfigs.SASL_MECHANISM));
    // Kafka Streams takes the same map (the detector adds its own settings to it)
    Map<String, Object> streams = new java.util.HashMap<>(config);
    streams.put(StreamsConfig.APPLICATION_ID_CONFIG, "web-shell-detector");
    assertEquals(
        CONNECTION_STRING,
        loginOptions(new StreamsConfig(streams).getAdminConfigs("x")).get("password"));
    // the file itself holds only the reference, and what the detector prints hides the line
    assertFalse(ClientConfig.describe(config).contains("SharedAccessKey"));
    assertTrue(ClientConfig.describe(config).contains("sasl.jaas.config=[hidden]"));
  }

  @Test
  void shouldResolveTheConnectionStringFromAMountedSecretFileThroughDirectoryConfigProvider()
      throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("secrets"));
    // a Kubernetes secret mounted as a directory: one file per key, no trailing newline
    Files.writeString(dir.resolve("eventhubs-connection-string"), CONNECTION_STRING);
    Map<String, Object> config =
        clientConfig(
            eventHubsConfig(
                "${dir:" + dir + ":eventhubs-connection-string}",
                "dir",
                "org.apache.kafka.common.config.provider.DirectoryConfigProvider"));
    assertEquals(CONNECTION_STRING, loginOptions(config).get("password"));
  }

  @Test
  void shouldKeepATrailingNewlineOfASecretFileReadWholeWhichBreaksThePassword() throws Exception {
    // why docs/inputs.md says: write the file with printf, not echo
    Path dir = Files.createDirectories(tmp.resolve("secrets-nl"));
    Files.writeString(dir.resolve("cs"), CONNECTION_STRING + "\n");
    Map<String, Object> config =
        clientConfig(
            eventHubsConfig(
                "${dir:" + dir + ":cs}",
                "dir",
                "org.apache.kafka.common.config.provider.DirectoryConfigProvider"));
    AdminClientConfig resolved = new AdminClientConfig(config);
    String jaas = resolved.getPassword(SaslConfigs.SASL_JAAS_CONFIG).value();
    assertTrue(jaas.contains(CONNECTION_STRING + "\n"), "the newline is kept: " + jaas.length());
  }
}
