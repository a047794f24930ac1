package dev.webshell.detector.window;

import dev.webshell.detector.event.ProcessEvent;

/**
 * A matching event as it crosses the repartition to the per-device window: the fields the alert
 * needs, the command line cut to the rule's maximum length, and the identity of the full line.
 *
 * @param commandLine the command line, at most {@code maxCommandLineLength} characters
 * @param commandLineHash 64-bit hash of the <em>full</em> command line
 * @param commandLineCut whether {@code commandLine} was cut; two cut lines are the same line when
 *     their hashes and cut texts are equal
 * @param ingestMillis wall-clock time the source task read the event (latency metric only; never
 *     part of an alert)
 * @param streamTimeMicros the source task's stream time after reading the event: the device window
 *     forgets silent devices by it (the repartition record's own timestamp is the wall clock, which
 *     the broker accepts whatever the event's date)
 * @param aheadOfClock the event was dated later than the detector's clock plus its tolerance: it
 *     did not advance stream time, and its alert says so
 */
public record Match(
    long timestampMicros,
    String deviceId,
    String deviceName,
    String fileName,
    String commandLine,
    long commandLineHash,
    boolean commandLineCut,
    String initiatingProcessFileName,
    String initiatingProcessParentFileName,
    Long reportId,
    Long processId,
    String accountName,
    long ingestMillis,
    long streamTimeMicros,
    boolean aheadOfClock)
    implements WindowInput {

  public static Match of(
      ProcessEvent e,
      int maxCommandLineLength,
      long ingestMillis,
      long streamTimeMicros,
      boolean aheadOfClock) {
    String line = e.processCommandLine();
    boolean cut = line.length() > maxCommandLineLength;
    return new Match(
        e.timestampMicros(),
        e.deviceId(),
        e.deviceName(),
        e.fileName(),
        cut ? cut(line, maxCommandLineLength) : line,
        hash64(line),
        cut,
        e.initiatingProcessFileName(),
        e.initiatingProcessParentFileName(),
        e.reportId(),
        e.processId(),
        e.accountName(),
        ingestMillis,
        streamTimeMicros,
        aheadOfClock);
  }

  /** The first {@code max} characters, one fewer when the cut would split a surrogate pair. */
  static String cut(String line, int max) {
    int end = max > 0 && Character.isHighSurrogate(line.charAt(max - 1)) ? max - 1 : max;
    return line.substring(0, end);
  }

  /** FNV-1a over UTF-16 code units with a final avalanche (murmur3 fmix64). */
  public static long hash64(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
