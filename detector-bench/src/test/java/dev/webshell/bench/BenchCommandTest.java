package dev.webshell.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webshell.detector.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

class BenchCommandTest {

  @Test
  void shouldBeRegisteredInTheCliWhenOnTheClasspath() {
    assertTrue(Main.commandLine().getSubcommands().containsKey("bench"));
  }

  @Test
  void shouldWarmUpTenRoundsAndTimeFiveByDefault() {
    BenchCommand bench = new BenchCommand();

    new CommandLine(bench).parseArgs();

    assertEquals(10, bench.warmupRounds);
    assertTrue(bench.warmup);
    assertEquals(5, bench.rounds);
  }

  /** Tiny N on the in-process broker: every phase runs and the last line is the JSON summary. */
  @Test
  @Timeout(300)
  void shouldMeasureEveryPhaseAndEndWithOneJsonLine() throws Exception {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    long started = System.nanoTime();
    int code =
        cl.execute(
            "bench",
            "--events",
            "20000",
            "--devices",
            "500",
            "--intrusions-per-million",
            "3000",
            "--rate",
            "1000",
            "--duration",
            "3",
            "--embedded-broker",
            "in-process",
            "--warmup-rounds",
            "1",
            "--rounds",
            "2");
    assertEquals(0, code, err.toString());
    String[] lines = out.toString().strip().split("\n");
    JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
    assertEquals(20000, json.get("events").asLong());
    assertTrue(json.get("rawConsumerEventsPerSecond").asLong() > 0, out.toString());
    assertTrue(json.get("detectorEventsPerSecond").asLong() > 0, out.toString());
    assertTrue(json.get("ratio").asDouble() > 0, out.toString());
    assertTrue(json.get("expectedAlertRevisions").asLong() > 0, out.toString());
    assertEquals(json.get("expectedAlertRevisions").asLong(), json.get("alertRevisions").asLong());
    assertTrue(json.get("latencyAlerts").asLong() > 0, out.toString());
    assertTrue(json.get("latencyP99Ms").asDouble() >= json.get("latencyP50Ms").asDouble());
    assertTrue(json.get("heapMaxMb").asLong() > 0);
    assertEquals("avro", json.get("settings").get("format").asText());
    assertTrue(json.get("settings").get("warmup").asBoolean());
    assertEquals(1, json.get("settings").get("warmupRounds").asInt());
    assertEquals(2, json.get("settings").get("rounds").asInt());
    assertEquals(2, json.get("ratioRounds").size(), out.toString());
    assertEquals(2, json.get("detectorEventsPerSecondRounds").size(), out.toString());
    assertTrue(json.get("rawConsumerCpuMicrosPerEvent").asDouble() > 0, out.toString());
    assertTrue(json.get("detectorCpuMicrosPerEvent").asDouble() > 0, out.toString());
    assertTrue(out.toString().contains("warm-up 1/1 (untimed)"), out.toString());
    assertTrue(out.toString().contains("timed round 2/2"), out.toString());
    assertTrue(json.get("coldDetectorEventsPerSecond").asLong() > 0, out.toString());
    assertTrue(json.get("latencyMaxMsPer5s").size() > 0, out.toString());
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toMinutes() < 5);
  }

  /** A tiny Sysmon run: process trees decoded and matched through the tree, every alert seen. */
  @Test
  @Timeout(300)
  void shouldMeasureSysmonProcessTreesAndSeeEveryExpectedAlert() throws Exception {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code =
        cl.execute(
            "bench",
            "--format",
            "sysmon",
            "--events",
            "5000",
            "--devices",
            "50",
            "--intrusions-per-million",
            "20000",
            "--duration",
            "0",
            "--embedded-broker",
            "in-process",
            "--warmup-rounds",
            "0",
            "--rounds",
            "1");
    assertEquals(0, code, err.toString());
    String[] lines = out.toString().strip().split("\n");
    JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
    assertEquals("sysmon", json.get("settings").get("format").asText());
    assertTrue(json.get("processTreeEvents").asLong() > 0, out.toString());
    assertTrue(json.get("expectedAlertRevisions").asLong() > 0, out.toString());
    assertEquals(json.get("expectedAlertRevisions").asLong(), json.get("alertRevisions").asLong());
    assertTrue(json.get("detectorCpuMicrosPerEvent").asDouble() > 0, out.toString());
  }

  @Test
  void shouldRefuseAnUnknownFormatNamingTheOnesItTakes() {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(err));
    assertEquals(2, cl.execute("bench", "--format", "xml", "--embedded-broker", "in-process"));
    assertTrue(
        err.toString()
            .contains(
                "--format must be one of avro, json, sysmon, winlogbeat, ecs, windows-security: xml"),
        err.toString());
  }
}
