package dev.webshell.detector.event;

/**
 * A test on the raw UTF-8 bytes of an event's {@code FileName}, asked before the event's other
 * strings are built: {@code false} means that no event with this FileName can match the rule, so
 * {@link AvroEventDecoder} leaves its other strings unbuilt. The detector passes {@code
 * Rule::mayBeShell}, the rule's first test on bytes.
 */
@FunctionalInterface
public interface FileNameFilter {
  /**
   * @param utf8 the FileName's bytes in {@code [offset, offset + length)}, or {@code null} when the
   *     event has no FileName
   * @return whether an event with this FileName may match; must be {@code true} whenever it can
   */
  boolean mayMatch(byte[] utf8, int offset, int length);
}
