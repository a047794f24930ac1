package dev.webshell.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How busy the machine was in each phase, and the detector's JVM's other threads. */
class MachineCpuTest {
  @Test
  void shouldCountIdleAndIoWaitAsNotBusyAndEveryOtherTickOfTheFirstLineAsBusy(@TempDir Path dir)
      throws Exception {
    Path stat = dir.resolve("stat");
    // user nice system idle iowait irq softirq steal guest guest_nice
    Files.writeString(stat, "cpu  100 5 20 300 10 1 2 3 50 0\ncpu0 1 1 1 1 1 1 1 1 1 1\n");

    assertArrayEquals(new long[] {441, 310}, MachineCpu.ticks(stat));
  }

  @Test
  void shouldGiveTheBusyShareBetweenTwoReadings() {
    assertEquals(0.75, MachineCpu.busyShare(new long[] {1_000, 600}, new long[] {1_400, 700}));
    assertEquals(-1, MachineCpu.busyShare(null, new long[] {1_400, 700}));
    assertEquals(-1, MachineCpu.busyShare(new long[] {1_000, 600}, new long[] {1_000, 600}));
  }

  @Test
  void shouldNotReadAFileThatIsNotProcStat(@TempDir Path dir) throws Exception {
    Path stat = dir.resolve("stat");
    Files.writeString(stat, "intr 1 2 3 4 5 6 7 8 9\n");

    assertNull(MachineCpu.ticks(stat));
    assertNull(MachineCpu.ticks(dir.resolve("absent")));
  }

  @Test
  void shouldMeasureThisMachineOnLinux() {
    MachineCpu.Reading reading = MachineCpu.here().start().stop();

    if (Files.isReadable(Path.of("/proc/stat"))) {
      assertTrue(reading.jvmCpuNanos() >= 0, reading.toString());
    }
  }

  @Test
  void shouldReportTheMachinesBusyShareInBothPhasesAndTheJvmsOtherThreads() throws Exception {
    // the detector's threads 2 ms, the whole JVM 3 ms and 5 ms: 1 and 3 us per event besides
    Round first = round(0.55, 0.95, 3_000_000);
    Round second = round(0.6, 0.9, 5_000_000);

    String out = SummaryFixture.summarised(first, List.of(first, second));
    assertTrue(out.contains("| machine busy 55 / 95 %"), out);
    assertTrue(out.contains("\"machineBusyDuringRawConsumerRounds\":[0.55,0.6]"), out);
    assertTrue(out.contains("\"machineBusyDuringDetectorRounds\":[0.95,0.9]"), out);
    assertTrue(out.contains("\"otherJvmCpuMicrosPerEventDuringDetector\":2.0"), out);
  }

  @Test
  void shouldLeaveTheMachineOutWhenItIsNotKnown() throws Exception {
    Round unknown = round(-1, -1, -1);

    String out = SummaryFixture.summarised(unknown, List.of(unknown, round(0.5, 0.9, 3_000_000)));
    assertFalse(out.contains("machine"), out);
    assertFalse(out.contains("otherJvm"), out);
  }

  private static Round round(double rawBusy, double detectorBusy, long jvmNanos) {
    return SummaryFixture.round(
        -1,
        -1,
        -1,
        0,
        new MachineCpu.Reading(rawBusy, jvmNanos),
        new MachineCpu.Reading(detectorBusy, jvmNanos));
  }
}
