package dev.webshell.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU time spent by some of this JVM's threads between {@link #start()} and {@link #stop()}, and
 * the time this JVM's JIT compilers spent in the same interval. On a machine where the clients, the
 * broker and the JIT share the cores, throughput alone mixes what the code costs with what it was
 * given; CPU time per event separates the two.
 *
 * <p>Threads are chosen by name when the meter starts or stops; a thread started in between counts
 * from zero, one that ended in between is not counted.
 */
final class CpuMeter {
  /** CPU nanoseconds of the chosen threads and JIT milliseconds of this JVM; -1 if unsupported. */
  record Reading(long cpuNanos, long jitMillis) {
    /** Microseconds of CPU per item, or -1 when CPU time was not available. */
    double microsPer(long items) {
      return CpuMeter.microsPer(cpuNanos, items);
    }
  }

  /** {@code cpuNanos} as microseconds per item, or -1 when it is not known (negative). */
  static double microsPer(long cpuNanos, long items) {
    return cpuNanos < 0 || items <= 0 ? -1 : cpuNanos / 1000.0 / items;
  }

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
  private final Predicate<Thread> chosen;
  private final Map<Long, Long> startCpu = new HashMap<>();
  private long startJit;

  CpuMeter(Predicate<Thread> chosen) {
    this.chosen = chosen;
  }

  /** The threads whose name contains {@code part}. */
  static CpuMeter threadsNamed(String part) {
    return new CpuMeter(t -> t.getName().contains(part));
  }

  /** The calling thread only. */
  static CpuMeter currentThread() {
    Thread me = Thread.currentThread();
    return new CpuMeter(t -> t == me);
  }

  CpuMeter start() {
    startCpu.clear();
    cpuOfChosen(startCpu);
    startJit = jitMillis();
    return this;
  }

  Reading stop() {
    Map<Long, Long> now = new HashMap<>();
    boolean supported = cpuOfChosen(now);
    long cpu = 0;
    for (Map.Entry<Long, Long> e : now.entrySet()) {
      cpu += e.getValue() - startCpu.getOrDefault(e.getKey(), 0L);
    }
    long jitNow = jitMillis();
    return new Reading(supported ? cpu : -1, jitNow < 0 ? -1 : jitNow - startJit);
  }

  private boolean cpuOfChosen(Map<Long, Long> into) {
    if (!threads.isThreadCpuTimeSupported()) {
      return false;
    }
    if (!threads.isThreadCpuTimeEnabled()) {
      threads.setThreadCpuTimeEnabled(true);
    }
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (chosen.test(t)) {
        long cpu = threads.getThreadCpuTime(t.getId());
        if (cpu >= 0) {
          into.put(t.getId(), cpu);
        }
      }
    }
    return true;
  }

  private long jitMillis() {
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime()
        : -1;
  }
}
