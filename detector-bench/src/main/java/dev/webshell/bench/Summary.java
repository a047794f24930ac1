package dev.webshell.bench;

import java.util.List;
import java.util.Locale;

/** The rounds' figures in the report: a row per round, then the medians of the timed ones. */
final class Summary {
  private final BenchOptions o;
  private final Report report;
  private final long events;

  Summary(BenchOptions o, Report report) {
    this.o = o;
    this.report = report;
    this.events = o.events();
  }

  /**
   * One line of the table per round: both phases, their CPU, the ratio, and the broker's CPU in
   * each phase when it is known.
   */
  void round(int round, Round r) {
    String broker =
        r.brokerCpuKnown()
            ? String.format(
                Locale.ROOT,
                " | broker %.2f / %.2f us CPU/ev%s",
                r.rawBrokerMicrosPer(events),
                r.detBrokerMicrosPer(events),
                r.detBrokerJitSeconds() < 0
                    ? ""
                    : String.format(Locale.ROOT, ", JIT %.1f s CPU", r.detBrokerJitSeconds()))
            : "";
    String machine =
        r.machineKnown()
            ? String.format(
                Locale.ROOT,
                " | machine busy %.0f / %.0f %%",
                100 * r.raw().machine().busyShare(),
                100 * r.det().machine().busyShare())
            : "";
    report.row(
        o.roundName(round) + (o.timed(round) ? "" : " (untimed)"),
        String.format(
            Locale.ROOT,
            "raw %,.0f ev/s (%.2f us CPU/ev) | detector %,.0f ev/s (%.2f us CPU/ev, JIT %.1f s)"
                + " | ratio %.3f%s%s",
            r.raw().eventsPerSecond(),
            r.raw().cpu().microsPer(events),
            r.det().eventsPerSecond(),
            r.det().cpu().microsPer(events),
            r.det().cpu().jitMillis() / 1000.0,
            r.ratio(),
            broker,
            machine));
  }

  /**
   * The figures of the timed rounds: the median of each throughput, the median of the rounds'
   * ratios (each round's two phases ran a few seconds apart), the highest heap.
   */
  void timedRounds(List<Round> timed, long expectedAlerts) {
    if (timed.isEmpty()) {
      throw new IllegalStateException("no timed round");
    }
    double raw = Stats.median(timed.stream().mapToDouble(r -> r.raw().eventsPerSecond()).toArray());
    double rawMb = Stats.median(timed.stream().mapToDouble(r -> r.raw().mbPerSecond()).toArray());
    double det = Stats.median(timed.stream().mapToDouble(r -> r.det().eventsPerSecond()).toArray());
    double ratio = Stats.median(timed.stream().mapToDouble(Round::ratio).toArray());
    double rawCpu =
        Stats.median(timed.stream().mapToDouble(r -> r.raw().cpu().microsPer(events)).toArray());
    double detCpu =
        Stats.median(timed.stream().mapToDouble(r -> r.det().cpu().microsPer(events)).toArray());
    Round last = timed.get(timed.size() - 1);
    long heapMax = timed.stream().mapToLong(r -> r.det().heap().maxUsedMb()).max().orElse(0);
    long liveMax = timed.stream().mapToLong(r -> r.det().heap().maxAfterGcMb()).max().orElse(0);
    report.put("rawConsumerEventsPerSecond", Math.round(raw));
    report.put("detectorEventsPerSecond", Math.round(det));
    report.put("ratio", Stats.round3(ratio));
    report.put("ratioRounds", timed.stream().map(r -> Stats.round3(r.ratio())).toList());
    report.put(
        "rawConsumerEventsPerSecondRounds",
        timed.stream().map(r -> Math.round(r.raw().eventsPerSecond())).toList());
    report.put(
        "detectorEventsPerSecondRounds",
        timed.stream().map(r -> Math.round(r.det().eventsPerSecond())).toList());
    report.put("rawConsumerCpuMicrosPerEvent", Stats.round2(rawCpu));
    report.put("detectorCpuMicrosPerEvent", Stats.round2(detCpu));
    boolean brokerKnown = timed.stream().allMatch(Round::brokerCpuKnown);
    if (brokerKnown) {
      // the broker shares the machine: what it spends per event in each phase is CPU the phase's
      // client did not get, so it explains part of the ratio
      report.put(
          "brokerCpuMicrosPerEventDuringRawConsumer",
          Stats.round2(
              Stats.median(
                  timed.stream().mapToDouble(r -> r.rawBrokerMicrosPer(events)).toArray())));
      report.put(
          "brokerCpuMicrosPerEventDuringDetector",
          Stats.round2(
              Stats.median(
                  timed.stream().mapToDouble(r -> r.detBrokerMicrosPer(events)).toArray())));
    }
    if (timed.stream().allMatch(r -> r.detBrokerJitSeconds() >= 0)) {
      // a broker still compiling takes CPU from the detector on a small machine: a sign that the
      // warm-up was too short for the broker's code the detector's requests run
      report.put(
          "brokerJitCpuSecondsDuringDetectorRounds",
          timed.stream().map(r -> Stats.round2(r.detBrokerJitSeconds())).toList());
    }
    if (timed.stream().allMatch(Round::machineKnown)) {
      // when the machine's cores are all busy while the detector reads, its throughput is bound
      // by the CPU that everything on the machine spends per event, not by waits
      report.put(
          "machineBusyDuringRawConsumerRounds",
          timed.stream().map(r -> Stats.round2(r.raw().machine().busyShare())).toList());
      report.put(
          "machineBusyDuringDetectorRounds",
          timed.stream().map(r -> Stats.round2(r.det().machine().busyShare())).toList());
    }
    if (timed.stream().allMatch(r -> r.detOtherJvmMicrosPer(events) >= 0)) {
      report.put(
          "otherJvmCpuMicrosPerEventDuringDetector",
          Stats.round2(
              Stats.median(
                  timed.stream().mapToDouble(r -> r.detOtherJvmMicrosPer(events)).toArray())));
    }
    report.put(
        "jitSecondsDuringDetectorRounds",
        timed.stream().map(r -> Stats.round2(r.det().cpu().jitMillis() / 1000.0)).toList());
    report.put("alertRevisions", last.det().alertsSeen());
    report.put("heapMaxMb", heapMax);
    report.put("heapMaxAfterGcMb", liveMax);
    report.put("detectorStartupSeconds", Stats.round2(last.det().startupSeconds()));
    report.put(
        "detectorUntilAllRunningSecondsRounds",
        timed.stream().map(r -> Stats.round2(r.det().untilAllRunningSeconds())).toList());
    String over =
        timed.size() == 1 ? "1 timed round" : "median of " + timed.size() + " timed rounds";
    report.row(
        "(a) raw consumer (bytes only)",
        String.format(
            Locale.ROOT,
            "%,.0f events/s, %.1f MB/s, %.2f us of CPU per event in its thread (%s)",
            raw,
            rawMb,
            rawCpu,
            over));
    report.row(
        "(b) detector, exactly_once_v2",
        String.format(
            Locale.ROOT,
            "%,.0f events/s, %.2f us of CPU per event in its client's threads (%s; from the"
                + " first record to the last alert committed and offsets at the end)",
            det,
            detCpu,
            over));
    report.row(
        "    ratio detector/raw",
        String.format(Locale.ROOT, "%.3f (%s of the ratio)", ratio, over));
    report.row(
        "    alert revisions",
        String.format(
            Locale.ROOT,
            "%,d read in every round (%,d expected)",
            last.det().alertsSeen(),
            expectedAlerts));
    report.row(
        "    heap (this JVM)",
        String.format(
            Locale.ROOT,
            "max used %d MB, max live after GC %d MB, -Xmx %d MB",
            heapMax,
            liveMax,
            Runtime.getRuntime().maxMemory() >> 20));
  }
}
