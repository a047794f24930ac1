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

  MemoryProbe minus(MemoryProbe base) {
    return new MemoryProbe(
        heapUsedBytes - base.heapUsedBytes, rssBytes - base.rssBytes, threads - base.threads);
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

  @Override
  public String toString() {
    return String.format(
        "heap used after GC %+d MB, RSS %+d MB, threads %+d",
        heapUsedBytes >> 20, rssBytes >> 20, threads);
  }
}
