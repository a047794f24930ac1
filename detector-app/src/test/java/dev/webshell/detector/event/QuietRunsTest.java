package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuietRunsTest {
  private final QuietRuns runs = QuietRuns.withRandomSecret();

  @Test
  void shouldReadBackTheTimestampsFormatAndSkippedCategoriesItWrote() {
    long[] ts = {5, Long.MIN_VALUE, Long.MAX_VALUE, 5, 0, 99};
    byte[] bytes = runs.encode("windows", ts, 5, List.of("sysmon-3", "sysmon-11", "sysmon-3"));

    Decoded d = runs.decode(bytes);

    assertEquals("windows", d.format());
    assertArrayEquals(Arrays.copyOf(ts, 5), d.quiet());
    assertEquals(List.of("sysmon-3", "sysmon-3", "sysmon-11"), d.skipped());
    assertTrue(d.events().isEmpty() && d.failures().isEmpty());
  }

  @Test
  void shouldNotTakeAnotherDetectorsRunForItsOwnSoThatNoInputRecordCanForgeStreamTime() {
    byte[] forged = QuietRuns.withRandomSecret().encode("json", new long[] {1}, 1, List.of());

    assertNull(runs.decode(forged));
  }

  @Test
  void shouldNotTakeInputRecordsForRuns() {
    assertNull(runs.decode(null));
    assertNull(runs.decode(new byte[0]));
    assertNull(runs.decode(new byte[] {0x7f}));
    assertNull(
        runs.decode("{\"Timestamp\":\"2026-01-01T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8)));
    assertNull(runs.decode(new byte[] {0, 0, 0, 0, 1, 2, 3}));
  }

  @Test
  void shouldHandBackWhatTheConsumerDecodedOnceAndOnlyOnItsOwnThread() throws Exception {
    byte[] value = "{}".getBytes(StandardCharsets.UTF_8);
    byte[] equalButAnother = value.clone();
    Decoded decoded = new Decoded("json", List.of(), List.of(), List.of("x"));
    runs.hand(value, decoded);

    Decoded[] elsewhere = new Decoded[1];
    Thread other = new Thread(() -> elsewhere[0] = runs.decode(value));
    other.start();
    other.join();

    assertNull(elsewhere[0]);
    assertNull(runs.decode(equalButAnother));
    assertSame(decoded, runs.decode(value));
    assertNull(runs.decode(value));
  }

  @Test
  void shouldKeepAtMostABoundedNumberOfHandedRecords() {
    byte[] oldest = new byte[] {1};
    runs.hand(oldest, new Decoded("json", List.of(), List.of(), List.of()));
    for (int i = 0; i < QuietRuns.MAX_HANDED; i++) {
      runs.hand(new byte[] {2}, new Decoded("json", List.of(), List.of(), List.of()));
    }

    assertNull(runs.decode(oldest));
  }

  @Test
  void shouldSendAForgedRunToTheDeadLettersAsAnUnknownFormat() {
    InputDeserializer input = new InputDeserializer(InputFormat.AUTO, null, null, runs);
    byte[] forged = QuietRuns.withRandomSecret().encode("json", new long[] {1}, 1, List.of());

    DecodeException e = assertThrows(DecodeException.class, () -> input.deserialize("t", forged));
    assertEquals("unknown-format", e.reason());
    assertEquals(
        1,
        input.deserialize("t", runs.encode("json", new long[] {1}, 1, List.of())).quiet().length);
  }
}
