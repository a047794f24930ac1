package dev.webshell.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void shouldTakeTheNthPercentileAsTheSmallestValueCoveringThatShare() {
    long[] micros = {1_000, 2_000, 3_000, 4_000};
    assertEquals(2.0, Stats.percentile(micros, 0.50));
    assertEquals(4.0, Stats.percentile(micros, 0.99));
  }

  @Test
  void shouldTakeTheMiddleValueOrTheMeanOfTheTwoMiddleOnesAsTheMedian() {
    assertEquals(0.5, Stats.median(new double[] {0.7, 0.5, 0.1}));
    assertEquals(0.45, Stats.median(new double[] {0.6, 0.3, 0.4, 0.5}), 1e-12);
    assertEquals(0.3, Stats.median(new double[] {0.3}));
  }

  @Test
  void shouldReportTheHighestLatencyOfEachFiveSecondSliceOfArrivals() {
    long start = 1_000_000_000L;
    long[] latencies = {100_000, 300_000, 200_000, 50_000};
    long[] arrivals = {start + 1_000_000, start + 4_999_999, start + 5_000_000, start + 17_000_000};
    assertEquals(
        List.of(300.0, 200.0, 0.0, 50.0), Stats.maxPer5Seconds(latencies, arrivals, start));
  }
}
