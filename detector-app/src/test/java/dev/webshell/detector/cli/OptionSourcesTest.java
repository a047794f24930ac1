package dev.webshell.detector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Where `run`'s options come from: flags, then --config FILE, then DETECTOR_* variables. */
class OptionSourcesTest {
  @TempDir Path dir;

  private RunCommand parse(Map<String, String> env, String... args) throws Exception {
    RunCommand run = new RunCommand();
    CommandLine cl = new CommandLine(run);
    cl.setDefaultValueProvider(
        new ConfigFileDefaults(ConfigFileDefaults.find(args), new EnvironmentDefaults(env)));
    cl.parseArgs(args);
    return run;
  }

  @Test
  void shouldTakeAnOptionFromItsEnvironmentVariable() throws Exception {
    RunCommand run =
        parse(
            Map.of(
                "DETECTOR_BOOTSTRAP_SERVERS", "env:9092", "DETECTOR_OUTPUT_TOPIC", "soc.alerts"));
    assertEquals("env:9092", run.kafka.bootstrapServers);
    assertEquals("soc.alerts", run.outputTopic);
    assertEquals("alerts.dead-letters", run.dlqTopic);
  }

  @Test
  void shouldPreferTheConfigFileOverTheEnvironmentAndFlagsOverBoth() throws Exception {
    Path config = dir.resolve("detector.properties");
    Files.writeString(
        config, "bootstrap-servers=file:9092\noutput-topic=file-alerts\nprofile=hardened\n");
    Map<String, String> env =
        Map.of("DETECTOR_BOOTSTRAP_SERVERS", "env:9092", "DETECTOR_OUTPUT_TOPIC", "env-alerts");
    RunCommand run = parse(env, "--config", config.toString(), "--output-topic", "flag-alerts");
    assertEquals("file:9092", run.kafka.bootstrapServers);
    assertEquals("flag-alerts", run.outputTopic);
    assertEquals("hardened", run.rule.profile);
  }

  @Test
  void shouldTakeTheStreamThreadsFromTheEnvironmentAndLeaveThemUnsetByDefault() throws Exception {
    assertEquals(3, parse(Map.of("DETECTOR_STREAM_THREADS", "3")).streamThreads);
    assertNull(parse(Map.of()).streamThreads);
  }

  @Test
  void shouldRefuseZeroStreamThreadsBeforeConnecting() throws Exception {
    RunCommand run =
        parse(
            Map.of(),
            "--bootstrap-servers",
            "localhost:1",
            "--input-topics",
            "events",
            "--stream-threads",
            "0");
    CommandLine.ParameterException e =
        assertThrows(CommandLine.ParameterException.class, run::call);
    assertEquals("--stream-threads must be 1 or more", e.getMessage());
  }

  @Test
  void shouldCollectRepeatedKafkaSettings() throws Exception {
    RunCommand run =
        parse(Map.of(), "-D", "security.protocol=SASL_SSL", "-D", "sasl.mechanism=SCRAM-SHA-512");
    assertEquals(
        Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"),
        run.kafka.overrides);
  }
}
