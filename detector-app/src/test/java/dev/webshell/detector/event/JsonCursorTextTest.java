package dev.webshell.detector.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonCursor#text} of a string value is the text Jackson's {@code getText} gives, and {@link
 * JsonCursor#lastPathElement} is that text's last path element.
 */
class JsonCursorTextTest {
  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Pieces of a string's JSON: plain, path separators, every escape, and characters of two to four
   * bytes.
   */
  private static final List<String> PIECES =
      Stream.concat(
              Stream.of("C:", "Windows", " ", "é", "€", "😀", "®", "/", "\\\\", "\\/"),
              Stream.concat(JsonEscapes.VALID.stream(), Stream.of("\\u005c", "\\u005C", "\\u002f")))
          .toList();

  @Test
  void shouldReadEveryEscapeAndCharacterAsJacksonDoes() throws IOException {
    for (String piece : PIECES) {
      for (String around : List.of("", "x", "\\\\")) {
        assertSameText(around + piece + around);
        assertSameText(piece + piece);
      }
    }
  }

  @Test
  void shouldReadWindowsPathsAndCommandLinesAsJacksonDoes() throws IOException {
    assertSameText("C:\\\\Windows\\\\System32\\\\cmd.exe");
    assertSameText("\\\"C:\\\\Program Files\\\\x.exe\\\" /c \\\"whoami\\\"");
    assertSameText("c:\\\\windows\\\\system32\\\\inetsrv\\\\w3wp.exe -ap \\\"Café\\\"");
    assertSameText("\\\\\\\\.\\\\pipe\\\\iisipm");
    assertSameText("C:\\\\inetpub\\\\");
    assertSameText("/usr/sbin/httpd");
    assertSameText("C:\\/x\\u005cw3wp.exe");
  }

  @Test
  void shouldReadRandomMixturesAsJacksonDoes() throws IOException {
    Random r = new Random(18);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder s = new StringBuilder();
      int n = r.nextInt(12);
      for (int k = 0; k < n; k++) {
        s.append(PIECES.get(r.nextInt(PIECES.size())));
      }
      assertSameText(s.toString());
    }
  }

  private static void assertSameText(String inner) throws IOException {
    byte[] json = ("\"" + inner + "\"").getBytes(UTF_8);
    JsonCursor c = new JsonCursor(json);
    int end = c.value(0, 1);
    assertEquals(json.length, end, inner);
    String jackson;
    try (JsonParser p = JSON.createParser(json)) {
      assertEquals(JsonToken.VALUE_STRING, p.nextToken());
      jackson = p.getText();
    }
    assertEquals(jackson, c.text(0, end), inner);
    assertEquals(WindowsValues.lastPathElement(jackson), c.lastPathElement(0, end), inner);
  }

  @Test
  void shouldCutTheLastPathElementOfOtherValuesAsOfTheirText() {
    for (String value : List.of("null", "12", "-1.5e3", "true", "false")) {
      byte[] json = value.getBytes(UTF_8);
      JsonCursor c = new JsonCursor(json);
      assertEquals(
          WindowsValues.lastPathElement(c.text(0, json.length)),
          c.lastPathElement(0, json.length),
          value);
    }
  }
}
