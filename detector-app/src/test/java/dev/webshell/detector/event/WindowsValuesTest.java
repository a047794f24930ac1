package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WindowsValuesTest {
  /** What {@link WindowsValues#eventId} was before its fast path for plain numbers. */
  private static Integer parsedInt(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** What {@link WindowsValues#optionalLong} was before its fast path for plain numbers. */
  private static Long parsedLong(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** What {@link WindowsValues#processId} was before its fast path, its error as text. */
  private static Object parsedProcessId(String text) {
    if (text == null) {
      return null;
    }
    String s = text.trim();
    if (s.isEmpty()) {
      return null;
    }
    try {
      if (s.startsWith("0x") || s.startsWith("0X")) {
        return Long.parseLong(s.substring(2), 16);
      }
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return "bad-field: ProcessId is not a process id: '" + Timestamps.abbreviate(s, 64) + "'";
    }
  }

  private static Object processId(String text) {
    try {
      return WindowsValues.processId(text, "ProcessId");
    } catch (DecodeException e) {
      return e.reason() + ": " + e.getMessage();
    }
  }

  @Test
  void shouldReadNumbersAsTheParsersOfTheirTrimmedText() {
    List<String> texts =
        new ArrayList<>(
            List.of(
                "1",
                "4688",
                "0",
                "007",
                "",
                " ",
                " 1",
                "1 ",
                "+1",
                "-1",
                "1.0",
                "1e3",
                "x",
                "999999999",
                "2147483647",
                "2147483648",
                "9999999999",
                "٣",
                "\t4688\n",
                "0x1F",
                "0X1f",
                "123456789012345678",
                "1234567890123456789",
                "9223372036854775807",
                "9223372036854775808"));
    texts.add(null);
    Random r = new Random(18);
    String alphabet = "0123456789 +-x\tX";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder s = new StringBuilder();
      int n = r.nextInt(22);
      for (int k = 0; k < n; k++) {
        s.append(alphabet.charAt(r.nextInt(r.nextBoolean() ? 10 : alphabet.length())));
      }
      texts.add(s.toString());
    }
    for (String text : texts) {
      assertEquals(parsedInt(text), WindowsValues.eventId(text), text);
      assertEquals(parsedLong(text), WindowsValues.optionalLong(text), text);
      assertEquals(parsedProcessId(text), processId(text), text);
    }
  }
}
