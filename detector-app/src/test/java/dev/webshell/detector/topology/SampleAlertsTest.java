package dev.webshell.detector.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code samples/softcell.alerts.jsonl}, the alerts {@code bin/detector scan
 * samples/softcell.jsonl} must print (checked by {@code ScanCommandTest}), is what the independent
 * reference implementation of the SPEC computes from the sample, not a copy of the detector's own
 * output. After a change of the alert's fields, update {@link ReferenceDetector} from the SPEC and
 * write the file anew with {@code mvn -pl detector-app -am verify -Dtest=SampleAlertsTest
 * -Dsamples.write=true}.
 */
class SampleAlertsTest {
  static final Path SAMPLE = Path.of("../samples/softcell.jsonl");
  static final Path ALERTS = Path.of("../samples/softcell.alerts.jsonl");

  static List<String> referenceAlerts() throws IOException {
    ReferenceDetector reference = new ReferenceDetector(7 * 86_400_000_000L, 128);
    List<String> alerts = new ArrayList<>();
    for (String line : Files.readAllLines(SAMPLE, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      for (JsonNode alert : reference.process(ReferenceDetector.fromRow(Ev.JSON.readTree(line)))) {
        alerts.add(alert.toString());
      }
    }
    reference.finish().forEach(c -> alerts.add(c.revision.toString()));
    return alerts;
  }

  @Test
  void shouldShipTheAlertsTheReferenceImplementationComputesForTheSample() throws IOException {
    List<String> expected = referenceAlerts();
    if (Boolean.getBoolean("samples.write")) {
      Files.write(ALERTS, expected, StandardCharsets.UTF_8);
    }
    assertEquals(expected, Files.readAllLines(ALERTS, StandardCharsets.UTF_8));
  }
}
