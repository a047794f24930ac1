package dev.webshell.detector.event;

/**
 * The rule's tests on the few fields of a JSON record that decide whether it can take part in a
 * match, asked by {@link JsonInputDecoder} before it builds the record's other strings (the command
 * lines, folders, account). {@code false} must mean that no record with these names can match the
 * rule nor matter to a process tree; the decoder then returns the event with only its Timestamp,
 * DeviceId, ReportId, ProcessId and (Windows inputs) lineage. The detector passes its {@code Rule}.
 */
public interface RecordScreen {
  /**
   * For Defender rows: whether a row with this FileName may match (false only if it cannot).
   *
   * @param fileName the row's FileName, {@code null} when absent
   */
  boolean mayMatch(String fileName);

  /**
   * For Windows process creations (Sysmon, ECS, 4688), whose grandparent comes from the process
   * tree: whether a creation with these file names may match or be a node of a match's lineage
   * (false only if it can be neither).
   */
  boolean mayMatterToTheTree(String fileName, String initiatingProcessFileName);
}
