package dev.webshell.detector.event;

/**
 * The columns of one {@code DeviceProcessEvents} row that the detector reads: the rule's inputs,
 * the alert's fields and the evidence. Every input format decodes to this projection.
 *
 * @param timestampMicros event time, microseconds since the epoch (UTC); finer digits are cut
 * @param deviceId never null
 */
public record ProcessEvent(
    long timestampMicros,
    String deviceId,
    String deviceName,
    String fileName,
    String processCommandLine,
    String initiatingProcessFileName,
    String initiatingProcessParentFileName,
    String initiatingProcessCommandLine,
    String initiatingProcessFolderPath,
    String folderPath,
    Long reportId,
    Long processId,
    String accountName,
    String machineGroup,
    String tenantId) {

  public ProcessEvent {
    if (deviceId == null) {
      throw new IllegalArgumentException("DeviceId is required");
    }
  }
}
