package dev.webshell.detector.event;

import java.util.List;

/**
 * What one Kafka message held: the events to process in order, the records inside it that could not
 * be read (a Streaming API envelope can hold both), and how many records of other categories were
 * skipped.
 */
public record Decoded(
    String format, List<ProcessEvent> events, List<Failure> failures, List<String> skipped) {

  /** One unreadable record inside a message: its own bytes and why. */
  public record Failure(int index, byte[] bytes, DecodeException error) {}

  public static Decoded single(String format, ProcessEvent e) {
    return new Decoded(format, List.of(e), List.of(), List.of());
  }
}
