package dev.webshell.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The arithmetic of the bench's figures. */
final class Stats {
  private Stats() {}

  /** The median: the middle value, or the mean of the two middle ones. */
  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** The {@code q} quantile (0..1) of sorted microseconds, in milliseconds. */
  static double percentile(long[] sortedMicros, double q) {
    int i = (int) Math.ceil(q * sortedMicros.length) - 1;
    return sortedMicros[Math.max(0, Math.min(sortedMicros.length - 1, i))] / 1000.0;
  }

  /** The highest latency (ms) of the alerts read in each 5-second slice after {@code start}. */
  static List<Double> maxPer5Seconds(long[] latenciesMicros, long[] arrivalsMicros, long start) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < latenciesMicros.length; i++) {
      int slice = (int) Math.max(0, (arrivalsMicros[i] - start) / 5_000_000L);
      while (out.size() <= slice) {
        out.add(0.0);
      }
      out.set(slice, Math.max(out.get(slice), Math.round(latenciesMicros[i] / 100.0) / 10.0));
    }
    return out;
  }

  static double mb(long bytes) {
    return bytes / 1048576.0;
  }

  static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
