package dev.webshell.detector.event;

/**
 * The columns of one {@code DeviceProcessEvents} row that the detector reads: the rule's inputs,
 * the alert's fields and the evidence. Every input format decodes to this projection.
 *
 * @param timestampMicros event time, microseconds since the epoch (UTC); finer digits are cut
 * @param deviceId never null
 * @param lineage the keys that place the process in its host's process tree, for inputs that carry
 *     only the parent (Sysmon, ECS, Windows Security 4688); {@code null} for Defender inputs, which
 *     carry {@code InitiatingProcessParentFileName} themselves
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
    String tenantId,
    ProcessLineage lineage) {

  /** An event without lineage: a Defender row. */
  public ProcessEvent(
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
    this(
        timestampMicros,
        deviceId,
        deviceName,
        fileName,
        processCommandLine,
        initiatingProcessFileName,
        initiatingProcessParentFileName,
        initiatingProcessCommandLine,
        initiatingProcessFolderPath,
        folderPath,
        reportId,
        processId,
        accountName,
        machineGroup,
        tenantId,
        null);
  }

  public ProcessEvent {
    if (deviceId == null) {
      throw new IllegalArgumentException("DeviceId is required");
    }
  }

  /** This event with the tenant of the Streaming API record that carried it. */
  public ProcessEvent withTenantId(String tenant) {
    return new ProcessEvent(
        timestampMicros,
        deviceId,
        deviceName,
        fileName,
        processCommandLine,
        initiatingProcessFileName,
        initiatingProcessParentFileName,
        initiatingProcessCommandLine,
        initiatingProcessFolderPath,
        folderPath,
        reportId,
        processId,
        accountName,
        machineGroup,
        tenant,
        lineage);
  }

  /** This event with the grandparent the process tree found ({@code null}: unknown). */
  public ProcessEvent withInitiatingProcessParentFileName(String grandparent) {
    return new ProcessEvent(
        timestampMicros,
        deviceId,
        deviceName,
        fileName,
        processCommandLine,
        initiatingProcessFileName,
        grandparent,
        initiatingProcessCommandLine,
        initiatingProcessFolderPath,
        folderPath,
        reportId,
        processId,
        accountName,
        machineGroup,
        tenantId,
        lineage);
  }
}
