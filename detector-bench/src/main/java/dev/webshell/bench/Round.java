package dev.webshell.bench;

/** Both phases of one round, a few seconds apart over the same input. */
record Round(RawConsumerPhase.Result raw, DetectorPhase.Result det) {
  /** Detector throughput over the raw consumer's. */
  double ratio() {
    return det.eventsPerSecond() / raw.eventsPerSecond();
  }

  /** Whether the broker's CPU time is known for both phases (an embedded broker in a child JVM). */
  boolean brokerCpuKnown() {
    return raw.brokerCpuNanos() >= 0 && det.brokerCpuNanos() >= 0;
  }

  /** The broker's CPU microseconds per event while the raw consumer read; -1 if not known. */
  double rawBrokerMicrosPer(long events) {
    return CpuMeter.microsPer(raw.brokerCpuNanos(), events);
  }

  /** CPU seconds of the broker's JIT compilers while the detector read; -1 if not known. */
  double detBrokerJitSeconds() {
    return det.brokerJitNanos() < 0 ? -1 : det.brokerJitNanos() / 1e9;
  }

  /** The broker's CPU microseconds per event while the detector read; -1 if not known. */
  double detBrokerMicrosPer(long events) {
    return CpuMeter.microsPer(det.brokerCpuNanos(), events);
  }

  /** Whether the machine's busy share is known for both phases (Linux). */
  boolean machineKnown() {
    return raw.machine().busyShare() >= 0 && det.machine().busyShare() >= 0;
  }

  /**
   * CPU microseconds per event of this JVM's threads other than the detector's while it read: the
   * collector and JIT compilers the detector keeps busy, and the bench's own reader and samplers;
   * -1 if not known.
   */
  double detOtherJvmMicrosPer(long events) {
    return MachineCpu.otherMicrosPer(det.machine(), det.cpu().cpuNanos(), events);
  }
}
