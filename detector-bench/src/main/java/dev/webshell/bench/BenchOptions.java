package dev.webshell.bench;

import java.util.Locale;
import java.util.Map;

/** What {@code bench} was asked to measure, validated ({@link BenchCommand} parses it). */
record BenchOptions(
    long events,
    int rate,
    int duration,
    String format,
    String bootstrapServers,
    String embeddedBroker,
    int partitions,
    int devices,
    double intrusionsPerMillion,
    String profile,
    Map<String, String> overrides,
    int warmupRounds,
    int rounds,
    long seed) {

  /** Warm-up rounds and timed rounds. */
  int totalRounds() {
    return warmupRounds + rounds;
  }

  boolean timed(int round) {
    return round >= warmupRounds;
  }

  boolean avro() {
    return "avro".equals(format);
  }

  /** "warm-up 2/5" or "timed round 1/5" ({@code round} counts from 0 over both). */
  String roundName(int round) {
    return String.format(
        Locale.ROOT,
        "%s %d/%d",
        round < warmupRounds ? "warm-up" : "timed round",
        round < warmupRounds ? round + 1 : round - warmupRounds + 1,
        round < warmupRounds ? warmupRounds : rounds);
  }
}
