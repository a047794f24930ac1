package dev.webshell.detector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.generator.EventJson;
import dev.webshell.schema.DeviceProcessEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance run: against a KRaft broker the project did not start, {@code run
 * --alert-format json} in its own JVM turns JSON events keyed by DeviceId on a 3-partition topic
 * into exactly the revisions {@code scan} prints, serves health and metrics, and stops cleanly
 * (exit 0) within 30 s of SIGTERM.
 */
class CliRunAgainstStandaloneBrokerTest {
  @TempDir Path dir;

  @Test
  void shouldTurnJsonEventsIntoTheScanRevisionsAndStopCleanlyOnSigterm() throws Exception {
    List<DeviceProcessEvent> events = Traffic.events(21, 3000, 200);
    List<String> expected = Traffic.scan(events);
    try (StandaloneBroker broker = StandaloneBroker.start(dir.resolve("broker"))) {
      Map<String, Object> client = Map.of("bootstrap.servers", broker.bootstrapServers());
      try (Admin admin = Admin.create(client)) {
        admin
            .createTopics(List.of(new NewTopic("events", 3, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      Topics.produce(
          client,
          "events",
          events.stream()
              .<Map.Entry<String, byte[]>>map(
                  e ->
                      new AbstractMap.SimpleEntry<>(
                          e.getDeviceId(), EventJson.toJson(e).getBytes(StandardCharsets.UTF_8)))
              .toList());

      Path log = dir.resolve("detector.log");
      Process detector =
          StandaloneBroker.java(
                  "dev.webshell.detector.cli.Main",
                  "run",
                  "--bootstrap-servers",
                  broker.bootstrapServers(),
                  "--input-topics",
                  "events",
                  "--alert-format",
                  "json",
                  "--create-topics",
                  "--metrics-port",
                  "0",
                  "--state-dir",
                  dir.resolve("state").toString())
              .redirectOutput(log.toFile())
              .redirectErrorStream(true)
              .start();
      try {
        List<String> actual =
            Topics.readCommitted(
                client,
                "alerts",
                expected.size(),
                Duration.ofSeconds(120),
                b -> new String(b, StandardCharsets.UTF_8));
        assertEquals(expected.size(), actual.size(), Files.readString(log));
        assertEquals(Traffic.linesByDevice(expected), Traffic.linesByDevice(actual));

        Matcher port = Pattern.compile("metrics on :(\\d+)").matcher(Files.readString(log));
        assertTrue(port.find(), Files.readString(log));
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port.group(1);
        assertEquals(200, get(http, base + "/health/live").statusCode());
        assertEquals(200, get(http, base + "/health/ready").statusCode());
        String metrics = get(http, base + "/metrics").body();
        assertTrue(metrics.contains("detector_alerts_total " + expected.size() + ".0"), metrics);
        assertTrue(metrics.contains("kafka_stream_client_state"), "Kafka Streams' own metrics");
      } finally {
        long t0 = System.nanoTime();
        detector.destroy(); // SIGTERM
        boolean ended = detector.waitFor(30, TimeUnit.SECONDS);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (!ended) {
          detector.destroyForcibly();
        }
        assertTrue(ended, "stopped within 30 s of SIGTERM");
        assertEquals(0, detector.exitValue(), Files.readString(log));
        assertTrue(Files.readString(log).contains("detector: stopped"), Files.readString(log));
        System.out.println("SIGTERM to exit: " + took + " ms");
      }
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
