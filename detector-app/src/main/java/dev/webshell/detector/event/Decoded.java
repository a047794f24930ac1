package dev.webshell.detector.event;

import java.util.List;

/**
 * What one Kafka message held: the events to process in order, the records inside it that could not
 * be read (a Streaming API envelope can hold both), and how many records of other categories were
 * skipped.
 *
 * @param quiet the Timestamps of events that can neither match nor matter to a process tree, read
 *     before Kafka Streams saw them ({@link QuietRuns}): only their time and their count matter
 */
public record Decoded(
    String format,
    List<ProcessEvent> events,
    List<Failure> failures,
    List<String> skipped,
    long[] quiet) {
  private static final long[] NONE = new long[0];

  public Decoded(
      String format, List<ProcessEvent> events, List<Failure> failures, List<String> skipped) {
    this(format, events, failures, skipped, NONE);
  }

  /** One unreadable record inside a message: its own bytes and why. */
  public record Failure(int index, byte[] bytes, DecodeException error) {}

  public static Decoded single(String format, ProcessEvent e) {
    return new Decoded(format, List.of(e), List.of(), List.of());
  }
}
