package dev.webshell.detector.cli;

import dev.webshell.detector.hunt.TimeSpecs;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** How far ahead of the detector's clock an event may be dated and still advance stream time. */
public final class ClockOptions {
  @Option(
      names = "--clock-skew-tolerance",
      paramLabel = "DURATION",
      defaultValue = "15m", // DetectorClock.DEFAULT_TOLERANCE
      description =
          "Stream time never runs past the detector's clock plus this (the wall clock; for scan"
              + " and hunt, the wall clock at their start). An event dated later still counts for"
              + " its own device, and its alert says aheadOfClock=true, but it cannot push other"
              + " devices' matches out of the 7-day lookback. 90s, 15m, 1h, 0 (default:"
              + " ${DEFAULT-VALUE}).")
  String tolerance;

  Duration tolerance(CommandLine commandLine) {
    Duration d;
    try {
      d = TimeSpecs.duration(tolerance == null ? "15m" : tolerance);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(commandLine, "--clock-skew-tolerance: " + e.getMessage());
    }
    if (d.isNegative()) {
      throw new ParameterException(commandLine, "--clock-skew-tolerance must not be negative");
    }
    return d;
  }
}
