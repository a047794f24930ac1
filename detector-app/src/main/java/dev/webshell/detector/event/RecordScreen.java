package dev.webshell.detector.event;

/**
 * The rule's tests on the file names that decide whether an event can matter, asked by {@link
 * JsonInputDecoder} before it builds the event's other strings. The detector passes its {@code
 * Rule}.
 *
 * <ul>
 *   <li>{@link #mayMatch}, for a Defender row: {@code false} must mean that no row with these three
 *       file names can match the rule; the decoder then returns the event with only its Timestamp,
 *       DeviceId, ReportId and ProcessId.
 *   <li>{@link #mayMatterToTheTree}, for a Windows process creation (Sysmon, 4688, ECS): {@code
 *       false} must mean that no creation with these two file names can take part in a match,
 *       through the process tree or, when it has no lineage, directly; the decoder then returns the
 *       event without its folder paths, command lines and account, and with a lineage without keys
 *       (null when the record names no process).
 * </ul>
 */
@FunctionalInterface
public interface RecordScreen {
  /**
   * Whether a row with these file names may match (false only if it cannot); each is {@code null}
   * when absent.
   */
  boolean mayMatch(
      String fileName, String initiatingProcessFileName, String initiatingProcessParentFileName);

  /**
   * Whether a Windows process creation with these file names may take part in a match (false only
   * if it cannot); each is {@code null} when absent. By default every creation may.
   */
  default boolean mayMatterToTheTree(String fileName, String initiatingProcessFileName) {
    return true;
  }
}
