package dev.webshell.detector.event;

import dev.webshell.detector.registry.ConfluentAvroDeserializer;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryException;
import dev.webshell.schema.DeviceProcessEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent-framed Avro {@code DeviceProcessEvent}: the writer schema comes from the registry by id
 * (cached) and is resolved against a <em>projection</em> holding only the columns the detector
 * reads, so the other ~60 columns are skipped, not built.
 */
public final class AvroEventDecoder implements Function<byte[], ProcessEvent> {
  /**
   * The columns read. Every one is optional in the projection; DeviceId and Timestamp are checked.
   */
  static final Set<String> FIELDS =
      Set.of(
          "Timestamp",
          "DeviceId",
          "DeviceName",
          "FileName",
          "FolderPath",
          "ProcessCommandLine",
          "ProcessId",
          "AccountName",
          "InitiatingProcessFileName",
          "InitiatingProcessParentFileName",
          "InitiatingProcessCommandLine",
          "InitiatingProcessFolderPath",
          "ReportId",
          "MachineGroup",
          "TenantId");

  public static final Schema PROJECTION = projection();

  // positions in PROJECTION: a field read by index, not by a name lookup per event
  private static final int TIMESTAMP = pos("Timestamp");
  private static final int DEVICE_ID = pos("DeviceId");
  private static final int DEVICE_NAME = pos("DeviceName");
  private static final int FILE_NAME = pos("FileName");
  private static final int PROCESS_COMMAND_LINE = pos("ProcessCommandLine");
  private static final int INITIATING_FILE_NAME = pos("InitiatingProcessFileName");
  private static final int INITIATING_PARENT_FILE_NAME = pos("InitiatingProcessParentFileName");
  private static final int INITIATING_COMMAND_LINE = pos("InitiatingProcessCommandLine");
  private static final int INITIATING_FOLDER_PATH = pos("InitiatingProcessFolderPath");
  private static final int FOLDER_PATH = pos("FolderPath");
  private static final int REPORT_ID = pos("ReportId");
  private static final int PROCESS_ID = pos("ProcessId");
  private static final int ACCOUNT_NAME = pos("AccountName");
  private static final int MACHINE_GROUP = pos("MachineGroup");
  private static final int TENANT_ID = pos("TenantId");

  private final ConfluentAvroDeserializer<GenericRecord> deserializer;

  public AvroEventDecoder(SchemaRegistryClient registry) {
    this.deserializer = ConfluentAvroDeserializer.generic(registry, PROJECTION);
  }

  private static Schema projection() {
    Schema full = DeviceProcessEvent.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : full.getFields()) {
      if (!FIELDS.contains(f.name())) {
        continue;
      }
      Schema type = f.schema();
      if (type.getType() != Schema.Type.UNION) {
        type = Schema.createUnion(Schema.create(Schema.Type.NULL), type);
      }
      fields.add(new Schema.Field(f.name(), type, f.doc(), JsonProperties.NULL_VALUE));
    }
    return Schema.createRecord(full.getName(), full.getDoc(), full.getNamespace(), false, fields);
  }

  @Override
  public ProcessEvent apply(byte[] bytes) {
    GenericRecord r;
    try {
      r = deserializer.deserialize(null, bytes);
    } catch (SchemaRegistryException e) {
      if (e.isUnreachable()) {
        throw new RegistryUnavailableException(e.getMessage());
      }
      throw new DecodeException(
          e.isNotFound() ? "unknown-schema-id" : "schema-registry-error", e.getMessage());
    } catch (SerializationException e) {
      String msg = e.getMessage() == null ? "unreadable Avro" : e.getMessage();
      if (e.getCause() instanceof SchemaRegistryException sre) {
        if (sre.isUnreachable()) {
          throw new RegistryUnavailableException(sre.getMessage());
        }
        throw new DecodeException(
            sre.isNotFound() ? "unknown-schema-id" : "schema-registry-error", msg);
      }
      throw new DecodeException(
          msg.contains("magic byte") ? "bad-magic-byte" : "invalid-avro", msg);
    } catch (RuntimeException e) {
      throw new DecodeException("invalid-avro", "unreadable Avro: " + e.getClass().getSimpleName());
    }
    Object ts = r.get(TIMESTAMP);
    Object deviceId = r.get(DEVICE_ID);
    if (deviceId == null || deviceId.toString().isEmpty()) {
      throw new DecodeException("missing-field", "DeviceId is missing or empty");
    }
    if (!(ts instanceof Long micros)) {
      throw new DecodeException("missing-field", "Timestamp is missing");
    }
    return new ProcessEvent(
        micros,
        deviceId.toString(),
        str(r, DEVICE_NAME),
        str(r, FILE_NAME),
        str(r, PROCESS_COMMAND_LINE),
        str(r, INITIATING_FILE_NAME),
        str(r, INITIATING_PARENT_FILE_NAME),
        str(r, INITIATING_COMMAND_LINE),
        str(r, INITIATING_FOLDER_PATH),
        str(r, FOLDER_PATH),
        (Long) r.get(REPORT_ID),
        (Long) r.get(PROCESS_ID),
        str(r, ACCOUNT_NAME),
        str(r, MACHINE_GROUP),
        str(r, TENANT_ID));
  }

  private static int pos(String field) {
    Schema.Field f = PROJECTION.getField(field);
    if (f == null) {
      throw new IllegalStateException("DeviceProcessEvent has no field " + field);
    }
    return f.pos();
  }

  private static String str(GenericRecord r, int pos) {
    Object v = r.get(pos);
    return v == null ? null : v.toString();
  }

  /**
   * The registry cannot be reached: the record is fine, so it must not become a dead letter. The
   * detector stops with a clear error instead, and resumes from its committed offsets on restart.
   */
  public static final class RegistryUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RegistryUnavailableException(String message) {
      super("schema registry unavailable: " + message, null, false, false);
    }
  }
}
