package dev.webshell.testkit.kafka;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** Heap used (after GC) and resident set size of this JVM, for the startup/memory report. */
record MemoryProbe(long heapUsedBytes, long rssBytes, int threads) {

  static MemoryProbe measure() {
    for (int i = 0; i < 2; i++) {
      System.gc();
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return new MemoryProbe(heap, rss(), ManagementFactory.getThreadMXBean().getThreadCount());
  }

  private static long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: report 0
    }
    return 0;
  }

  /** Difference to a probe taken before the cluster started, plus this JVM's RSS now. */
  String reportSince(MemoryProbe before) {
    return String.format(
        "heap used after GC %+d MB, threads %+d, JVM RSS now %d MB (%+d MB; meaningless once the"
            + " JVM has run an earlier cluster)",
        (heapUsedBytes - before.heapUsedBytes) >> 20,
        threads - before.threads,
        rssBytes >> 20,
        (rssBytes - before.rssBytes) >> 20);
  }
}
