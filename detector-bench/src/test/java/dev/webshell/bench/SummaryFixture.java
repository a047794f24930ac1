package dev.webshell.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/** Rounds of 1,000 events made up for {@link Summary}'s tests, and what the report prints. */
final class SummaryFixture {
  static final long EVENTS = 1_000;

  static final BenchOptions OPTIONS =
      new BenchOptions(EVENTS, 1, 0, "json", null, "child", 4, 10, 333, "kql", Map.of(), 0, 2, 1L);

  private SummaryFixture() {}

  /**
   * A round at 400,000 and 200,000 events/s, 2 ms of CPU in each client, with the given broker and
   * machine figures.
   */
  static Round round(
      long rawBrokerNanos,
      long detectorBrokerNanos,
      long brokerJitNanos,
      double untilAllRunning,
      MachineCpu.Reading rawMachine,
      MachineCpu.Reading detectorMachine) {
    CpuMeter.Reading cpu = new CpuMeter.Reading(2_000_000, 0);
    return new Round(
        new RawConsumerPhase.Result(400_000, 1_000, cpu, rawBrokerNanos, rawMachine),
        new DetectorPhase.Result(
            "app",
            200_000,
            5,
            1,
            untilAllRunning,
            0,
            new HeapWatch(),
            cpu,
            detectorBrokerNanos,
            brokerJitNanos,
            detectorMachine));
  }

  /**
   * What the report prints after {@code row} was summarised as a round's row (none when null) and
   * {@code timed} as the timed rounds.
   */
  static String summarised(Round row, List<Round> timed) throws Exception {
    Report report = new Report();
    Summary summary = new Summary(OPTIONS, report);
    if (row != null) {
      summary.round(0, row);
    }
    summary.timedRounds(timed, 0);
    return printed(report);
  }

  private static String printed(Report report) throws Exception {
    StringWriter out = new StringWriter();
    report.print(new PrintWriter(out));
    return out.toString();
  }
}
