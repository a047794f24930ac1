package dev.webshell.detector.generator;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class DeliveriesTest {
  private static final RecordMetadata WRITTEN =
      new RecordMetadata(new TopicPartition("t", 0), 0, 0, 0, 1, 10);

  @Test
  void shouldPassTheCheckWhenTheBrokerTookEveryRecord() {
    Deliveries deliveries = new Deliveries();

    deliveries.onCompletion(WRITTEN, null);
    deliveries.onCompletion(WRITTEN, null);

    assertEquals(2, deliveries.written());
    assertEquals(0, deliveries.failed());
    assertDoesNotThrow(() -> deliveries.check("t"));
  }

  @Test
  void shouldCountFailuresAndKeepTheFirstAsTheCause() {
    Deliveries deliveries = new Deliveries();
    TimeoutException first = new TimeoutException("Expiring 40 record(s) for t-0");

    deliveries.onCompletion(WRITTEN, null);
    deliveries.onCompletion(null, first);
    deliveries.onCompletion(null, new RecordTooLargeException("later"));

    assertEquals(1, deliveries.written());
    assertEquals(2, deliveries.failed());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> deliveries.check("t"));
    assertSame(first, e.getCause());
    assertEquals(
        "2 records were not written to t (1 were): TimeoutException: Expiring 40 record(s) for t-0",
        e.getMessage());
  }
}
