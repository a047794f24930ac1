package dev.webshell.detector.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.webshell.detector.notify.state.DeliveryState;
import dev.webshell.detector.notify.state.DeliveryState.Phase;
import dev.webshell.detector.notify.state.StateStore;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StateStoreTest {
  static final DeliveryState OPEN_1 = new DeliveryState(Phase.OPEN, 1, true, 1_000, 0);
  static final DeliveryState OPEN_3 = new DeliveryState(Phase.OPEN, 3, true, 2_000, 0);
  static final DeliveryState CLOSING = new DeliveryState(Phase.CLOSING, 4, true, 2_000, 3_000);
  static final DeliveryState CLOSED = new DeliveryState(Phase.CLOSED, 4, true, 2_000, 3_000);

  @Test
  void statesShouldOnlyMoveForwardWhateverOrderTheyAreReadIn() {
    assertEquals(OPEN_3, DeliveryState.newer(OPEN_1, OPEN_3));
    assertEquals(OPEN_3, DeliveryState.newer(OPEN_3, OPEN_1));
    assertEquals(CLOSING, DeliveryState.newer(OPEN_3, CLOSING));
    assertEquals(CLOSED, DeliveryState.newer(CLOSED, CLOSING));
    assertEquals(
        CLOSED, DeliveryState.newer(new DeliveryState(Phase.OPEN, 9, true, 9_000, 0), CLOSED));
    assertEquals(OPEN_1, DeliveryState.fromBytes(OPEN_1.toBytes()));
    assertNull(DeliveryState.fromBytes("{\"phase\":\"lost\"}".getBytes()));
  }

  @Test
  void aSecondStoreShouldReadWhatTheFirstWroteAndPruningShouldForgetOnlyLongClosedAlerts()
      throws Exception {
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(1)) {
      kafka
          .admin()
          .createTopics(
              java.util.List.of(
                  new NewTopic("states", 1, (short) 1)
                      .configs(Map.of("cleanup.policy", "compact"))))
          .all()
          .get(30, TimeUnit.SECONDS);
      Instant now = Instant.parse("2026-11-30T12:00:00Z");
      long longAgo = now.minus(Duration.ofDays(40)).toEpochMilli();
      long recently = now.minus(Duration.ofDays(2)).toEpochMilli();
      try (StateStore first =
          new StateStore("states", kafka.clientConfig(), kafka.clientConfig())) {
        first.catchUp(Duration.ofSeconds(30));
        first.put("pagerduty", "a", OPEN_1);
        first.put("pagerduty", "a", OPEN_3);
        first.put("pagerduty", "a", OPEN_1); // a stale write never goes back
        first.put("pagerduty", "old", new DeliveryState(Phase.CLOSED, 2, true, longAgo, longAgo));
        first.put("pagerduty", "new", new DeliveryState(Phase.CLOSED, 2, true, recently, recently));
        first.put("slack", "a", CLOSING);
        assertEquals(OPEN_3, first.get("pagerduty", "a"));
        assertEquals(1, first.prune(now, Duration.ofDays(8)));
        assertNull(first.get("pagerduty", "old"));
      }
      try (StateStore second =
          new StateStore("states", kafka.clientConfig(), kafka.clientConfig())) {
        second.catchUp(Duration.ofSeconds(30));
        assertEquals(3, second.size());
        assertEquals(OPEN_3, second.get("pagerduty", "a"));
        assertEquals(CLOSING, second.get("slack", "a"));
        assertNull(second.get("pagerduty", "old"));
        assertEquals(Phase.CLOSED, second.get("pagerduty", "new").phase());
      }
    }
  }
}
