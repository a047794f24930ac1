package dev.webshell.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The broker's CPU per event in each phase, reported when the broker is a child process. */
class BrokerCpuTest {
  private static final long EVENTS = 1_000;

  private static final BenchOptions OPTIONS =
      new BenchOptions(EVENTS, 1, 0, "json", null, "child", 4, 10, 333, "kql", Map.of(), 0, 2, 1L);

  private static Round round(long rawBrokerNanos, long detectorBrokerNanos) {
    CpuMeter.Reading cpu = new CpuMeter.Reading(2_000_000, 0);
    return new Round(
        new RawConsumerPhase.Result(400_000, 1_000, cpu, rawBrokerNanos),
        new DetectorPhase.Result(
            "app", 200_000, 5, 1, 0, new HeapWatch(), cpu, detectorBrokerNanos));
  }

  private static String printed(Report report) throws Exception {
    StringWriter out = new StringWriter();
    report.print(new PrintWriter(out));
    return out.toString();
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
    Report report = new Report();
    Summary summary = new Summary(OPTIONS, report);
    Round first = round(1_000_000, 3_000_000); // 1 and 3 us per event
    Round second = round(2_000_000, 5_000_000); // 2 and 5 us per event
    summary.round(0, first);
    summary.timedRounds(List.of(first, second), 0);

    String out = printed(report);
    assertTrue(out.contains("| broker 1.00 / 3.00 us CPU/ev"), out);
    assertTrue(out.contains("\"brokerCpuMicrosPerEventDuringRawConsumer\":1.5"), out);
    assertTrue(out.contains("\"brokerCpuMicrosPerEventDuringDetector\":4.0"), out);
  }

  @Test
  void shouldLeaveTheBrokersCpuOutWhenItIsNotKnown() throws Exception {
    Report report = new Report();
    Summary summary = new Summary(OPTIONS, report);
    Round unknown = round(-1, -1);
    summary.round(0, unknown);
    summary.timedRounds(List.of(unknown, round(1_000_000, 3_000_000)), 0);

    String out = printed(report);
    assertFalse(out.contains("broker"), out);
  }
}
