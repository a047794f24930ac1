package dev.webshell.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class CpuMeterTest {

  @Test
  void shouldCountTheCpuOfTheNamedThreadsAndNotOfTheOthers() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    Thread busy = new Thread(() -> spin(go, 300), "meter-test-busy");
    Thread other = new Thread(() -> spin(go, 300), "meter-test-other");
    busy.start();
    other.start();
    CpuMeter named = CpuMeter.threadsNamed("meter-test-busy").start();
    CpuMeter none = CpuMeter.threadsNamed("no-such-thread").start();
    go.countDown();
    spinUntil(System.nanoTime() + 150_000_000L);
    CpuMeter.Reading mine = named.stop();
    CpuMeter.Reading nothing = none.stop();
    busy.join();
    other.join();
    // the busy thread spun for most of the 150 ms (shared cores may slow it, never to zero)
    assertTrue(mine.cpuNanos() > 10_000_000L, "cpu " + mine.cpuNanos());
    assertTrue(mine.cpuNanos() < 400_000_000L, "cpu " + mine.cpuNanos());
    assertEquals(0, nothing.cpuNanos());
    assertTrue(mine.jitMillis() >= 0);
  }

  @Test
  void shouldMeasureTheCallingThreadAlone() {
    CpuMeter me = CpuMeter.currentThread().start();
    spinUntil(System.nanoTime() + 50_000_000L);
    CpuMeter.Reading r = me.stop();
    assertTrue(r.cpuNanos() > 5_000_000L, "cpu " + r.cpuNanos());
    assertEquals(r.cpuNanos() / 1000.0 / 10, r.microsPer(10), 1e-9);
  }

  @Test
  void shouldSayMinusOneForCpuPerItemWhenThereWasNoItemOrNoCpuTime() {
    assertEquals(-1, new CpuMeter.Reading(1_000, 0).microsPer(0));
    assertEquals(-1, new CpuMeter.Reading(-1, 0).microsPer(5));
  }

  private static void spin(CountDownLatch go, long millis) {
    try {
      go.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    spinUntil(System.nanoTime() + millis * 1_000_000L);
  }

  /** Busy until the deadline (the clock read in the loop cannot be optimized away). */
  private static void spinUntil(long deadline) {
    while (System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }
}
