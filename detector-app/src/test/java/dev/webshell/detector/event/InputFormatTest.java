package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputFormatTest {
  @Test
  void shouldParseEveryNameItListsAndNameThemAllWhenOneIsUnknown() {
    for (String name : InputFormat.NAMES.split(", ")) {
      InputFormat f = InputFormat.parse(name);
      assertEquals(name, f.cliName());
      assertEquals(f, InputFormat.parse(" " + name.toUpperCase(java.util.Locale.ROOT) + " "));
    }
    assertEquals(InputFormat.values().length, InputFormat.NAMES.split(", ").length);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> InputFormat.parse("winlogbeat"));
    assertTrue(e.getMessage().contains(InputFormat.NAMES), e.getMessage());
    assertFalse(InputFormat.AVRO.isJson());
    assertFalse(InputFormat.AUTO.isJson());
    assertTrue(InputFormat.WINDOWS_SECURITY.isJson());
  }

  @Test
  void shouldDetectWindowsRecordsUnderAutoAndSendAvroBytesToTheAvroDecoderOnly() {
    byte[] sysmon =
        ("  {\"EventID\":1,\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Hostname\":\"H\","
                + "\"UtcTime\":\"2021-01-01 00:00:00.000\",\"Image\":\"C:\\\\cmd.exe\"}")
            .getBytes(StandardCharsets.UTF_8);
    Decoded d = new InputDeserializer(InputFormat.AUTO, null).deserialize("t", sysmon);
    assertEquals("sysmon", d.format());
    assertEquals("cmd.exe", d.events().get(0).fileName());
    for (InputFormat f : List.of(InputFormat.JSON, InputFormat.SYSMON)) {
      assertEquals(d.events(), new InputDeserializer(f, null).deserialize("t", sysmon).events());
    }
    DecodeException e =
        assertThrows(
            DecodeException.class,
            () ->
                new InputDeserializer(InputFormat.SYSMON, null)
                    .deserialize("t", new byte[] {0, 0, 0, 0, 1}));
    assertEquals("invalid-json", e.reason(), "as under --input-format json");
  }
}
