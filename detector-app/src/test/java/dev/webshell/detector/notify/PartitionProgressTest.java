package dev.webshell.detector.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.notify.delivery.Tracked;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PartitionProgressTest {
  @Test
  void shouldCommitUpToTheFirstRecordSomeDestinationIsNotDoneWith() {
    AtomicInteger outstanding = new AtomicInteger();
    PartitionProgress p = new PartitionProgress(new TopicPartition("alerts", 0));
    Tracked a = p.track(10, 2, outstanding::decrementAndGet);
    Tracked b = p.track(11, 2, outstanding::decrementAndGet);
    outstanding.addAndGet(2);
    p.handled(12); // an unreadable record, dead-lettered on the consumer thread
    assertEquals(10, p.committable(), "nothing done yet: commit up to 10 (exclusive)");
    p.committed(10);
    b.done();
    b.done();
    assertEquals(1, outstanding.get(), "b is done by both destinations");
    assertEquals(-1, p.committable(), "a holds the offset (a held update, say)");
    a.done();
    assertEquals(-1, p.committable(), "one destination is still on a");
    a.done();
    assertEquals(13, p.committable(), "everything up to the unreadable record");
    assertEquals(0, outstanding.get());
  }

  @Test
  void abandonedRecordsOfARevokedPartitionShouldNoLongerCountAsOutstandingAndNeverTwice() {
    AtomicInteger outstanding = new AtomicInteger();
    PartitionProgress p = new PartitionProgress(new TopicPartition("alerts", 1));
    Tracked a = p.track(0, 1, outstanding::decrementAndGet);
    p.track(1, 1, outstanding::decrementAndGet);
    outstanding.addAndGet(2);
    p.revoke();
    assertTrue(a.revoked());
    p.abandonAll();
    assertEquals(0, outstanding.get());
    a.done(); // a worker finishing it late
    assertEquals(0, outstanding.get());
  }
}
