package dev.webshell.detector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.serde.AlertFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `notify`'s options and start-up errors (no broker needed: they fail before connecting). */
class NotifyCommandTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run execute(String... args) {
    CommandLine cl = Main.commandLine(args);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private NotifyCommand parse(Map<String, String> env, String... args) {
    NotifyCommand notify = new NotifyCommand();
    CommandLine cl = new CommandLine(notify);
    cl.setDefaultValueProvider(
        new ConfigFileDefaults(ConfigFileDefaults.find(args), new EnvironmentDefaults(env)));
    cl.parseArgs(args);
    return notify;
  }

  @Test
  void shouldBeListedWithTheOtherCommandsAndDescribeItsOptions() {
    Run help = execute("notify", "--help");
    assertEquals(0, help.code());
    for (String option :
        new String[] {
          "--pagerduty-routing-key-file",
          "--pagerduty-url",
          "--opsgenie-api-key-file",
          "--opsgenie-url",
          "--slack-webhook-url-file",
          "--webhook-url",
          "--webhook-secret-file",
          "--update-interval",
          "--alerts-topic",
          "--application-id",
          "--metrics-port",
          "--kafka-config",
          "--config"
        }) {
      assertTrue(help.out().contains(option), option + "\n" + help.out());
    }
    assertTrue(execute("--help").out().contains("notify"));
  }

  @Test
  void shouldRefuseToStartWithoutADestination() {
    Run run = execute("notify", "--bootstrap-servers", "localhost:1");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("no destination"), run.err());
  }

  @Test
  void shouldRefuseARoutingKeyThatIsNotAnIntegrationKeyWithoutPrintingIt() throws Exception {
    Path key = Files.writeString(dir.resolve("pd.key"), "sk_live_not-a-routing-key\n");
    Run run =
        execute(
            "notify",
            "--bootstrap-servers",
            "localhost:1",
            "--pagerduty-routing-key-file",
            key.toString());
    assertEquals(1, run.code());
    assertTrue(run.err().contains("is not 32 letters and digits"), run.err());
    assertFalse(run.err().contains("sk_live"), run.err());
  }

  @Test
  void shouldNotPrintTheSlackWebhookUrlWhenItIsNotOne() throws Exception {
    Path url =
        Files.writeString(dir.resolve("slack.url"), "hooks.slack.com/services/T0/B0/secret\n");
    Run run =
        execute(
            "notify",
            "--bootstrap-servers",
            "localhost:1",
            "--slack-webhook-url-file",
            url.toString());
    assertEquals(1, run.code());
    assertTrue(run.err().contains("not an http(s) URL"), run.err());
    assertFalse(run.err().contains("secret"), run.err());
  }

  @Test
  void shouldRefuseASecretWithoutAWebhookAndNonsenseDurationsAndRates() throws Exception {
    Path secret = Files.writeString(dir.resolve("hmac"), "k");
    assertEquals(
        2,
        execute("notify", "--bootstrap-servers", "x:1", "--webhook-secret-file", secret.toString())
            .code());
    Run interval =
        execute(
            "notify",
            "--bootstrap-servers",
            "x:1",
            "--webhook-url",
            "http://127.0.0.1:1/h",
            "--update-interval",
            "soon");
    assertEquals(2, interval.code());
    assertTrue(interval.err().contains("--update-interval"), interval.err());
    Run rate =
        execute(
            "notify",
            "--bootstrap-servers",
            "x:1",
            "--webhook-url",
            "http://127.0.0.1:1/h",
            "--webhook-rate",
            "fast");
    assertEquals(2, rate.code());
    assertTrue(rate.err().contains("--webhook-rate"), rate.err());
  }

  @Test
  void shouldTakeItsOptionsFromTheEnvironmentAndAConfigFileAsRunDoes() throws Exception {
    Path config = dir.resolve("notify.properties");
    Files.writeString(config, "alerts-topic=file-alerts\nupdate-interval=5m\n");
    NotifyCommand n =
        parse(
            Map.of(
                "DETECTOR_BOOTSTRAP_SERVERS", "env:9092",
                "DETECTOR_PAGERDUTY_ROUTING_KEY_FILE", "/run/secrets/pd",
                "DETECTOR_ALERTS_TOPIC", "env-alerts"),
            "--config",
            config.toString(),
            "-D",
            "security.protocol=SSL");
    assertEquals("env:9092", n.kafka.bootstrapServers);
    assertEquals(Path.of("/run/secrets/pd"), n.pagerdutyKeyFile);
    assertEquals("file-alerts", n.alertsTopic);
    assertEquals("5m", n.updateInterval);
    assertEquals("web-shell-detector-notify", n.applicationId);
    assertEquals(Map.of("security.protocol", "SSL"), n.kafka.overrides);
  }

  @Test
  void runShouldTakeTheSiemFormatsFromTheEnvironmentToo() throws Exception {
    RunCommand run = new RunCommand();
    CommandLine cl = new CommandLine(run);
    cl.setDefaultValueProvider(new EnvironmentDefaults(Map.of("DETECTOR_ALERT_FORMAT", "ocsf")));
    cl.parseArgs();
    assertEquals(AlertFormat.OCSF, run.alertFormat);
  }
}
