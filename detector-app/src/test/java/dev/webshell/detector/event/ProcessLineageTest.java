package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ProcessLineageTest {
  @Test
  void shouldLowerCaseASysmonGuidAndDropItsBraces() {
    assertEquals(
        "5a17c313-9cd1-6000-003f-00000000101a",
        ProcessLineage.normaliseGuid(" {5A17C313-9CD1-6000-003F-00000000101A} "));
  }

  @Test
  void shouldKeepAnIdThatIsNoGuidAsWrittenBecauseItsCaseMatters() {
    assertEquals("NzQ0OC0xMzM1", ProcessLineage.normaliseGuid("{NzQ0OC0xMzM1}"));
  }

  @Test
  void shouldHaveNoGuidForNothingOrEmptyBraces() {
    assertNull(ProcessLineage.normaliseGuid(null));
    assertNull(ProcessLineage.normaliseGuid(" { } "));
  }

  @Test
  void shouldNormaliseAsTheCharacterByCharacterDefinitionOnRandomIds() {
    Random r = new Random(7);
    for (int i = 0; i < 100_000; i++) {
      String id = randomId(r, "0123456789abcdefABCDEFgG-{} \tzZ", 12);
      assertEquals(definition(id), ProcessLineage.normaliseGuid(id), id);
    }
  }

  @Test
  void shouldSayAGuidIsNamedExactlyWhereNormalisingGivesOne() {
    Random r = new Random(11);
    for (int i = 0; i < 100_000; i++) {
      String id = randomId(r, "0a-{} \t\n\u0001\u00a0", 8);
      assertEquals(ProcessLineage.normaliseGuid(id) != null, ProcessLineage.namesGuid(id), id);
    }
    assertFalse(ProcessLineage.namesGuid(null));
    assertFalse(ProcessLineage.namesGuid(" {\t} "));
    assertTrue(ProcessLineage.namesGuid("{{}}"));
  }

  @Test
  void shouldGiveAKeylessLineageOnlyWhereTheRecordNamesAProcess() {
    assertNull(ProcessLineage.keyless(ProcessLineage.KeyKind.GUID, false));
    assertEquals(
        new ProcessLineage(ProcessLineage.KeyKind.PID, null, null),
        ProcessLineage.keyless(ProcessLineage.KeyKind.PID, true));
  }

  /** Fewer than {@code bound} characters drawn from {@code alphabet}. */
  private static String randomId(Random r, String alphabet, int bound) {
    StringBuilder s = new StringBuilder();
    for (int n = r.nextInt(bound); n > 0; n--) {
      s.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return s.toString();
  }

  /** Trim, drop one pair of braces and trim again; a GUID (hex digits and dashes) in lower case. */
  private static String definition(String g) {
    String s = g.trim();
    if (s.length() >= 2 && s.charAt(0) == '{' && s.charAt(s.length() - 1) == '}') {
      s = s.substring(1, s.length() - 1).trim();
    }
    if (s.isEmpty()) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (Character.digit(c, 16) < 0 && c != '-') {
        return s;
      }
      b.append(Character.toLowerCase(c));
    }
    return b.toString();
  }
}
