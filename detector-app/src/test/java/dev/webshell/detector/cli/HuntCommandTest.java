package dev.webshell.detector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.detector.offline.Scanner;
import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.schema.DeviceProcessEvent;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `bin/detector hunt` through the CLI on a real broker. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HuntCommandTest {
  record Run(int code, String out, String err) {}

  static Run execute(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    cl.getOut().flush();
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void shouldPrintOnlyTheRevisionsOfEventsInsideFromToAsScanDoesForThoseEvents(@TempDir Path dir)
      throws Exception {
    Instant start = Instant.parse("2021-04-14T00:00:00Z");
    long step = 180_000_000L; // 3 minutes
    TrafficGenerator gen = new TrafficGenerator(11, 20, 0.02);
    List<String> all = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      long micros = Timestamps.toMicros(start) + i * step;
      DeviceProcessEvent e = gen.next(micros);
      all.add(EventJson.toJson(e));
      times.add(micros);
      keys.add(e.getDeviceId());
    }
    // the hunt's range cuts the traffic (4 days 4 hours) in the middle
    Instant from = Instant.parse("2021-04-15T06:00:00Z");
    Instant to = Instant.parse("2021-04-17T12:00:00Z");
    StringBuilder inRange = new StringBuilder();
    for (int i = 0; i < all.size(); i++) {
      if (times.get(i) >= Timestamps.toMicros(from) && times.get(i) < Timestamps.toMicros(to)) {
        inRange.append(all.get(i)).append('\n');
      }
    }
    List<String> expected = new ArrayList<>();
    try (Scanner scanner = new Scanner(RuleFiles.builtIn("kql"))) {
      scanner.scan(
          new ByteArrayInputStream(inRange.toString().getBytes(StandardCharsets.UTF_8)),
          expected::add,
          p -> {
            throw new AssertionError(p);
          });
    }
    List<String> everything = new ArrayList<>();
    try (Scanner scanner = new Scanner(RuleFiles.builtIn("kql"))) {
      scanner.scan(
          new ByteArrayInputStream(String.join("\n", all).getBytes(StandardCharsets.UTF_8)),
          everything::add,
          p -> {});
    }
    assertTrue(expected.size() >= 3, "the range should hold some revisions: " + expected.size());
    assertTrue(everything.size() > expected.size(), "and the events outside it more");

    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(1)) {
      // old record timestamps: keep them from the broker's 7-day retention
      kafka.createTopic("events", 3, (short) 1, Map.of("retention.ms", "-1"));
      Map<String, Object> p = new HashMap<>(kafka.clientConfig());
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
        for (int i = 0; i < all.size(); i++) {
          producer.send(
              new ProducerRecord<>("events", null, times.get(i) / 1000, keys.get(i), all.get(i)));
        }
        producer.flush();
      }

      Run run =
          execute(
              "hunt",
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--input-pattern",
              "ev.*",
              "--from",
              from.toString(),
              "--to",
              to.toString(),
              "--slack",
              "30m",
              "--state-dir",
              dir.toString());

      System.out.print(run.err());
      assertEquals(0, run.code(), run.err());
      assertEquals(byDevice(expected), byDevice(run.out().lines().toList()), run.err());
      assertEquals(expected.size(), run.out().lines().count(), run.err());
      assertTrue(run.err().contains("hunt: done in "), run.err());
      assertTrue(run.err().contains(" alert revisions, 0 dead letters"), run.err());
      assertTrue(run.err().contains("its consumer group and local state"), run.err());

      // the same hunt printing OCSF findings: those scan prints for the same events
      List<String> expectedOcsf = new ArrayList<>();
      try (Scanner scanner = new Scanner(RuleFiles.builtIn("kql"), AlertFormat.OCSF)) {
        scanner.scan(
            new ByteArrayInputStream(inRange.toString().getBytes(StandardCharsets.UTF_8)),
            expectedOcsf::add,
            problem -> {
              throw new AssertionError(problem);
            });
      }
      Run ocsf =
          execute(
              "hunt",
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--input-topics",
              "events",
              "--from",
              from.toString(),
              "--to",
              to.toString(),
              "--slack",
              "30m",
              "--alert-format",
              "ocsf",
              "--state-dir",
              dir.toString());
      assertEquals(0, ocsf.code(), ocsf.err());
      assertEquals(
          byDevice(expectedOcsf, "\"device\":{"),
          byDevice(ocsf.out().lines().toList(), "\"device\":{"),
          ocsf.err());
    }
  }

  @Test
  void shouldRefuseAvroAlertsOnStandardOutput() {
    Run run =
        execute(
            "hunt",
            "--bootstrap-servers",
            "localhost:1",
            "--input-topics",
            "x",
            "--from",
            "2021-04-14",
            "--alert-format",
            "avro",
            "--schema-registry-url",
            "mock://hunt-avro");
    assertEquals(1, run.code());
    assertTrue(run.err().contains("--alert-format avro needs --output-topic"), run.err());
  }

  @Test
  void shouldRefuseAHuntWithoutFrom() {
    Run run = execute("hunt", "--bootstrap-servers", "localhost:1", "--input-topics", "x");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("--from"), run.err());
  }

  @Test
  void shouldRefuseARangeThatEndsBeforeItStarts() {
    Run run =
        execute(
            "hunt",
            "--bootstrap-servers",
            "localhost:1",
            "--input-topics",
            "x",
            "--from",
            "2021-04-15",
            "--to",
            "2021-04-14");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("--from must be before --to"), run.err());
  }

  private static Map<String, List<String>> byDevice(List<String> alerts) {
    return byDevice(alerts, "");
  }

  /** Alerts by the device id that follows {@code within} (the JSON form's or OCSF's). */
  private static Map<String, List<String>> byDevice(List<String> alerts, String within) {
    String key = within.isEmpty() ? "\"deviceId\":\"" : "\"uid\":\"";
    Map<String, List<String>> m = new TreeMap<>();
    for (String a : alerts) {
      int i = a.indexOf(key, a.indexOf(within)) + key.length();
      m.computeIfAbsent(a.substring(i, a.indexOf('"', i)), d -> new ArrayList<>()).add(a);
    }
    return m;
  }
}
