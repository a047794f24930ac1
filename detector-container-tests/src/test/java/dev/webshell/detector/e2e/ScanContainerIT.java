package dev.webshell.detector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.generator.EventJson;
import dev.webshell.schema.DeviceProcessEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The image's {@code scan}: the offline detector, no broker, in a container. */
class ScanContainerIT {
  private static final Path CHECKOUT = Path.of(System.getProperty("detector.checkout", ".."));

  @Test
  void shouldPrintTheSamplesExpectedAlertsWhenScanningTheSampleShippedInTheImage()
      throws Exception {
    String expected =
        Files.readString(CHECKOUT.resolve("samples/softcell.alerts.jsonl"), StandardCharsets.UTF_8);
    try (DetectorContainer scan =
        DetectorContainer.runToEnd(Map.of(), "scan", "samples/softcell.jsonl")) {
      assertEquals(0, scan.exitCode(), scan.logs());
      assertEquals(expected, scan.stdout());
      assertTrue(scan.stderr().contains("0 unreadable"), scan.stderr());
    }
  }

  @Test
  void shouldPrintWhatScanPrintsInProcessForAFileOfGeneratedEvents() {
    List<DeviceProcessEvent> events = Traffic.events(32, 2000, 100);
    StringBuilder lines = new StringBuilder();
    events.forEach(e -> lines.append(EventJson.toJson(e)).append('\n'));
    List<String> expected = Traffic.scan(events);
    try (DetectorContainer scan =
        DetectorContainer.runToEnd(
            Map.of("/tmp/events.jsonl", lines.toString().getBytes(StandardCharsets.UTF_8)),
            "scan",
            "/tmp/events.jsonl")) {
      assertEquals(0, scan.exitCode(), scan.logs());
      assertTrue(expected.size() > 1, "the traffic holds intrusions");
      assertEquals(expected, scan.stdout().lines().toList());
    }
  }
}
