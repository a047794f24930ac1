package dev.webshell.bench;

import dev.webshell.detector.generator.ProcessTreeTraffic;
import dev.webshell.detector.generator.WindowsEventJson;
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

  /** The input formats {@code --format} takes. */
  static final java.util.List<String> FORMATS =
      java.util.List.of("avro", "json", "sysmon", "winlogbeat", "ecs", "windows-security");

  /**
   * The Windows shape of the input ({@code sysmon}, {@code winlogbeat}, {@code ecs}, {@code
   * windows-security}: process trees from {@link ProcessTreeTraffic}); {@code null} for Defender
   * rows ({@code avro}, {@code json}).
   */
  WindowsEventJson.Shape windowsShape() {
    return avro() || "json".equals(format) ? null : WindowsEventJson.Shape.parse(format);
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
