package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonInputDecoder#familyOf(byte[], int, int)}, which the scanners ask without building a
 * name, against {@link JsonInputDecoder#familyOf(String)}, which says what a record's family is.
 */
class JsonInputDecoderFamilyTest {

  private static void assertSameFamily(String name) {
    byte[] padded = ("{\"" + name + "\":1}").getBytes(StandardCharsets.US_ASCII);
    assertEquals(
        JsonInputDecoder.familyOf(name),
        JsonInputDecoder.familyOf(padded, 2, 2 + name.length()),
        name);
  }

  @Test
  void shouldGiveEveryKnownNameAndEveryNameOneEditAwayTheFamilyItsStringHas() {
    List<String> names = new ArrayList<>(JsonInputDecoder.DEFENDER_NAMES);
    names.addAll(JsonInputDecoder.WINDOWS_NAMES);
    names.addAll(
        List.of(
            "records",
            "record",
            "recordsX",
            "InitiatingProcess",
            "InitiatingProcessFileName",
            "InitiatingProces",
            "ProcessVersionInfo",
            "ProcessVersionInfoCompanyName",
            "ProcessVersionInf",
            "EventTime",
            "",
            "x"));
    for (String name : List.copyOf(names)) {
      for (int i = 0; i < name.length(); i++) {
        names.add(name.substring(0, i) + name.substring(i + 1)); // one character fewer
        names.add(name.substring(0, i) + 'x' + name.substring(i + 1)); // one character changed
        names.add(
            name.substring(0, i) + Character.toLowerCase(name.charAt(i)) + name.substring(i + 1));
      }
      names.add(name + "s"); // one character more
    }
    names.forEach(JsonInputDecoderFamilyTest::assertSameFamily);
  }

  @Test
  void shouldGiveRandomNamesTheFamilyTheirStringHas() {
    Random random = new Random(7);
    String letters = "EventIDdeicvProsgNamRtuLHCUTl_";
    for (int round = 0; round < 50_000; round++) {
      StringBuilder b = new StringBuilder();
      int n = random.nextInt(24);
      for (int i = 0; i < n; i++) {
        b.append(letters.charAt(random.nextInt(letters.length())));
      }
      assertSameFamily(b.toString());
    }
  }
}
