package dev.webshell.bench;

/** Both phases of one round, a few seconds apart over the same input. */
record Round(RawConsumerPhase.Result raw, DetectorPhase.Result det) {
  /** Detector throughput over the raw consumer's. */
  double ratio() {
    return det.eventsPerSecond() / raw.eventsPerSecond();
  }
}
