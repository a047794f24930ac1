package dev.webshell.detector.event;

/**
 * The rule's test on the fields of a Defender JSON row that decide whether it can match, asked by
 * {@link JsonInputDecoder} before it builds the row's other strings (the command lines, folders,
 * account). {@code false} must mean that no row with these three file names can match the rule; the
 * decoder then returns the event with only its Timestamp, DeviceId, ReportId and ProcessId. The
 * detector passes its {@code Rule}.
 */
@FunctionalInterface
public interface RecordScreen {
  /**
   * Whether a row with these file names may match (false only if it cannot); each is {@code null}
   * when absent.
   */
  boolean mayMatch(
      String fileName, String initiatingProcessFileName, String initiatingProcessParentFileName);
}
