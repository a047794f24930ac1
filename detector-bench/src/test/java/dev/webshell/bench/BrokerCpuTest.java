package dev.webshell.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's CPU per event in each phase, reported when the broker is a child process. */
class BrokerCpuTest {
  private static Round round(long rawBrokerNanos, long detectorBrokerNanos) {
    return round(rawBrokerNanos, detectorBrokerNanos, -1);
  }

  private static Round round(long rawBrokerNanos, long detectorBrokerNanos, long brokerJitNanos) {
    return round(rawBrokerNanos, detectorBrokerNanos, brokerJitNanos, 0);
  }

  private static Round round(
      long rawBrokerNanos, long detectorBrokerNanos, long brokerJitNanos, double untilAllRunning) {
    return SummaryFixture.round(
        rawBrokerNanos,
        detectorBrokerNanos,
        brokerJitNanos,
        untilAllRunning,
        MachineCpu.Reading.UNKNOWN,
        MachineCpu.Reading.UNKNOWN);
  }

  @Test
  void shouldReadTheCpuTimeOfAProcessAndTheTimeBetweenTwoReadings() {
    assertTrue(Brokers.cpuNanos(ProcessHandle.current()) > 0);
    assertEquals(7, Brokers.between(3, 10));
    assertEquals(-1, Brokers.between(-1, 10));
    assertEquals(-1, Brokers.between(3, -1));
  }

  @Test
  void shouldReportTheBrokersMedianCpuPerEventInEachPhaseWhenEveryTimedRoundKnowsIt()
      throws Exception {
    Round first = round(1_000_000, 3_000_000); // 1 and 3 us per event
    Round second = round(2_000_000, 5_000_000); // 2 and 5 us per event

    String out = SummaryFixture.summarised(first, List.of(first, second));
    assertTrue(out.contains("| broker 1.00 / 3.00 us CPU/ev"), out);
    assertTrue(out.contains("\"brokerCpuMicrosPerEventDuringRawConsumer\":1.5"), out);
    assertTrue(out.contains("\"brokerCpuMicrosPerEventDuringDetector\":4.0"), out);
  }

  @Test
  void shouldReportTheBrokersJitCpuInEachTimedRoundWhenEveryOneKnowsIt() throws Exception {
    Round first = round(1_000_000, 3_000_000, 250_000_000);
    Round second = round(2_000_000, 5_000_000, 40_000_000);

    String out = SummaryFixture.summarised(first, List.of(first, second));
    assertTrue(out.contains("| broker 1.00 / 3.00 us CPU/ev, JIT 0.3 s CPU"), out);
    assertTrue(out.contains("\"brokerJitCpuSecondsDuringDetectorRounds\":[0.25,0.04]"), out);
  }

  @Test
  void shouldReportHowLongEachTimedRoundsDetectorProcessedBeforeAllItsTasksRan() throws Exception {
    String out =
        SummaryFixture.summarised(null, List.of(round(-1, -1, -1, 0.8149), round(-1, -1, -1, 0)));

    assertTrue(out.contains("\"detectorUntilAllRunningSecondsRounds\":[0.81,0.0]"), out);
  }

  @Test
  void shouldReadTheCompilerThreadsCpuFromProcAndNoOtherThreads(@TempDir Path proc)
      throws Exception {
    Path tasks = Files.createDirectories(proc.resolve("42").resolve("task"));
    thread(tasks, "1", "java", "9000000000 1 1");
    thread(tasks, "2", "C2 CompilerThre", "300 2 2");
    thread(tasks, "3", "C1 CompilerThre", "40 3 3");
    thread(tasks, "4", "data-plane-kafk", "5000 4 4");
    Files.createDirectories(tasks.resolve("5")); // a thread that ended while it was read

    assertEquals(340, Brokers.compilerThreadsCpuNanos(proc, 42));
    assertEquals(-1, Brokers.compilerThreadsCpuNanos(proc, 43));
  }

  private static void thread(Path tasks, String tid, String name, String schedstat)
      throws Exception {
    Path t = Files.createDirectories(tasks.resolve(tid));
    Files.writeString(t.resolve("comm"), name + "\n");
    Files.writeString(t.resolve("schedstat"), schedstat + "\n");
  }

  @Test
  void shouldLeaveTheBrokersCpuOutWhenItIsNotKnown() throws Exception {
    Round unknown = round(-1, -1);

    String out = SummaryFixture.summarised(unknown, List.of(unknown, round(1_000_000, 3_000_000)));
    assertFalse(out.contains("broker"), out);
  }
}
