package dev.webshell.detector.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.schema.AlertStatus;
import dev.webshell.schema.WebShellAlert;
import org.junit.jupiter.api.Test;

class AlertStatusTest {
  @Test
  void shouldBeTheSchemasDefaultStatusForOpenSoThatOlderAlertsReadAsOpen() {
    assertEquals(AlertStatus.OPEN, WebShellAlert.getClassSchema().getField("status").defaultVal());
  }

  @Test
  void shouldNameBothValuesInTheSchemasDocumentation() {
    String doc = WebShellAlert.getClassSchema().getField("status").doc();
    assertTrue(doc.contains('"' + AlertStatus.OPEN + '"'), doc);
    assertTrue(doc.contains('"' + AlertStatus.CLOSED + '"'), doc);
  }
}
