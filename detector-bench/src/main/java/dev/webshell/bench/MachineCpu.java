package dev.webshell.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the whole machine's CPUs were between {@link #start()} and {@link #stop()} (Linux's
 * {@code /proc/stat}), and the CPU time this JVM used in that interval. The broker, the detector,
 * its collector and JIT, and the bench's own readers share the machine's cores: when they are all
 * busy, a phase's throughput is bound by the CPU everything spends per event, not by waits.
 */
final class MachineCpu {
  /**
   * @param busyShare the share of the machine's CPU time that was not idle (nor waiting for I/O), 0
   *     to 1, or -1 where {@code /proc/stat} cannot be read
   * @param jvmCpuNanos this JVM's CPU time, all its threads, or -1 if the system does not say
   */
  record Reading(double busyShare, long jvmCpuNanos) {
    static final Reading UNKNOWN = new Reading(-1, -1);
  }

  private final Path procStat;
  private long[] startTicks;
  private long startJvm = -1;

  MachineCpu(Path procStat) {
    this.procStat = procStat;
  }

  /** The machine of this JVM. */
  static MachineCpu here() {
    return new MachineCpu(Path.of("/proc/stat"));
  }

  MachineCpu start() {
    startTicks = ticks(procStat);
    startJvm = jvmCpuNanos();
    return this;
  }

  /** What happened since {@link #start()}; unknown figures if it was never started. */
  Reading stop() {
    long[] end = ticks(procStat);
    long jvm = jvmCpuNanos();
    return new Reading(busyShare(startTicks, end), Brokers.between(startJvm, jvm));
  }

  /** The busy share of the ticks between two readings of {@link #ticks}; -1 if either failed. */
  static double busyShare(long[] start, long[] end) {
    if (start == null || end == null) {
      return -1;
    }
    long all = end[0] - start[0];
    long idle = end[1] - start[1];
    return all <= 0 ? -1 : (all - idle) / (double) all;
  }

  /**
   * All ticks of the machine's CPUs so far and those idle or waiting for I/O, from the first line
   * of {@code /proc/stat} ({@code cpu user nice system idle iowait irq softirq steal ...}; guest
   * time is already inside user time); null if it cannot be read.
   */
  static long[] ticks(Path procStat) {
    try (var lines = Files.lines(procStat)) {
      String first = lines.findFirst().orElse("");
      String[] f = first.trim().split("\\s+");
      if (f.length < 9 || !f[0].equals("cpu")) {
        return null;
      }
      long all = 0;
      for (int i = 1; i <= 8; i++) {
        all += Long.parseLong(f[i]);
      }
      return new long[] {all, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static long jvmCpuNanos() {
    return Brokers.cpuNanos(ProcessHandle.current());
  }

  /** Microseconds of {@code reading}'s JVM CPU per item beyond {@code ownNanos}; -1 if unknown. */
  static double otherMicrosPer(Reading reading, long ownNanos, long items) {
    return reading.jvmCpuNanos() < 0 || ownNanos < 0
        ? -1
        : CpuMeter.microsPer(Math.max(0, reading.jvmCpuNanos() - ownNanos), items);
  }
}
