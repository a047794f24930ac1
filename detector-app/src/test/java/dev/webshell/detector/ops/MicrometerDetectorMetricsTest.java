package dev.webshell.detector.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class MicrometerDetectorMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MicrometerDetectorMetrics metrics = new MicrometerDetectorMetrics(registry);

  private double orphans(String reason) {
    return registry.get("detector.process.tree.orphans").tag("reason", reason).counter().count();
  }

  @Test
  void shouldShowBothOrphanReasonsAtZeroSoThatAnAlertOnTheFirstIncreaseFires() {
    assertEquals(0, orphans("expired"));
    assertEquals(0, orphans("waiting_full"));
  }

  @Test
  void shouldCountAChildTurnedAwayApartFromOneWhoseWaitRanOut() {
    metrics.orphaned(true);
    metrics.orphaned(false);
    metrics.orphaned(false);

    assertEquals(1, orphans("waiting_full"));
    assertEquals(2, orphans("expired"));
  }
}
