package dev.webshell.detector.hunt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeSpecsTest {
  static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  @Test
  void shouldReadInstantsDatesAsUtcMidnightNowAndNowMinusADuration() {
    assertEquals(
        Instant.parse("2021-04-14T18:49:17.784932400Z"),
        TimeSpecs.instant("2021-04-14T18:49:17.7849324Z", NOW));
    assertEquals(Instant.parse("2021-04-14T00:00:00Z"), TimeSpecs.instant("2021-04-14", NOW));
    assertEquals(NOW, TimeSpecs.instant("now", NOW));
    assertEquals(Instant.parse("2026-10-24T12:00:00Z"), TimeSpecs.instant("now-30d", NOW));
  }

  @Test
  void shouldReadShortAndIsoDurations() {
    assertEquals(Duration.ofSeconds(90), TimeSpecs.duration("90s"));
    assertEquals(Duration.ofMinutes(15), TimeSpecs.duration("15m"));
    assertEquals(Duration.ofHours(1), TimeSpecs.duration("1h"));
    assertEquals(Duration.ofDays(14), TimeSpecs.duration("2w"));
    assertEquals(Duration.ZERO, TimeSpecs.duration("0"));
    assertEquals(Duration.ofMinutes(90), TimeSpecs.duration("PT1H30M"));
  }

  @Test
  void shouldRefuseWhatIsNotATimeWithTheFormsItTakes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TimeSpecs.instant("yesterday", NOW));
    assertEquals(
        "'yesterday' is not a time: use 2021-04-14T18:49:17Z, 2021-04-14 (UTC), now or now-30d",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TimeSpecs.duration("an hour"));
  }
}
