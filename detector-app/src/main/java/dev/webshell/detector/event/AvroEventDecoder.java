package dev.webshell.detector.event;

import dev.webshell.detector.registry.ConfluentAvro;
import dev.webshell.detector.registry.ConfluentAvroDeserializer;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryException;
import dev.webshell.schema.DeviceProcessEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent-framed Avro {@code DeviceProcessEvent}: the writer schema comes from the registry by id
 * (cached) and is resolved against a <em>projection</em> holding only the columns the detector
 * reads, so the other ~60 columns are skipped, not built.
 *
 * <p>Given the rule's {@link FileNameFilter} ({@code Rule::mayBeShell}), an event whose FileName
 * cannot pass the rule's first test is returned with only its Timestamp, DeviceId, ReportId and
 * ProcessId: its other strings, FileName included, are {@code null}, never built. The rule gives
 * such an event the same verdict (no match) either way; the detector reads nothing else of an event
 * that does not match. Whether a record decodes, and its dead-letter reason when it does not, do
 * not depend on the filter. The filter applies to writer schemas read by the specialized reader
 * (every writer of a {@code DeviceProcessEvent} that Avro resolves without promotions); the generic
 * reader's events are always complete.
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

  /** A writer schema id the {@link ProjectionReader} does not handle: the generic reader's. */
  private static final Object GENERIC = new Object();

  private final SchemaRegistryClient registry;
  private final ConfluentAvroDeserializer<GenericRecord> deserializer;
  private final boolean specialized;
  private final FileNameFilter fileNames; // null: every event complete
  // writer schema id -> its ProjectionReader, or GENERIC
  private final Map<Integer, Object> readers = new ConcurrentHashMap<>();
  // the reader of the schema id seen last (nearly always the next one's): no boxing, no map lookup
  private volatile Last last;

  private record Last(int id, Object reader) {}

  /** A decoder that builds every projected column of every event. */
  public AvroEventDecoder(SchemaRegistryClient registry) {
    this(registry, true, null);
  }

  /**
   * A decoder for the detector: an event whose FileName {@code fileNames} rejects gets only its
   * Timestamp, DeviceId, ReportId and ProcessId; see the class comment.
   *
   * @param fileNames the rule's test on FileName bytes, {@code rule::mayBeShell}
   */
  public AvroEventDecoder(SchemaRegistryClient registry, FileNameFilter fileNames) {
    this(registry, true, Objects.requireNonNull(fileNames, "fileNames"));
  }

  /**
   * A decoder that always uses Avro's generic resolving reader: the reference the specialized
   * readers are tested and benchmarked against.
   */
  public static AvroEventDecoder genericReaderOnly(SchemaRegistryClient registry) {
    return new AvroEventDecoder(registry, false, null);
  }

  /**
   * @param specialized read through a {@link ProjectionReader} compiled per writer schema where it
   *     applies (what the detector does); {@code false}: always Avro's generic resolving reader
   *     (the reference the tests compare it with)
   * @param fileNames {@code null}, or the filter for events that cannot match (specialized reader
   *     only)
   */
  AvroEventDecoder(SchemaRegistryClient registry, boolean specialized, FileNameFilter fileNames) {
    this.registry = registry;
    this.deserializer = ConfluentAvroDeserializer.generic(registry, PROJECTION);
    this.specialized = specialized;
    this.fileNames = fileNames;
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
    Object[] r;
    try {
      r = specialized ? read(bytes) : generic(bytes);
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
    Object ts = r[TIMESTAMP];
    Object deviceId = r[DEVICE_ID];
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
        (Long) r[REPORT_ID],
        (Long) r[PROCESS_ID],
        str(r, ACCOUNT_NAME),
        str(r, MACHINE_GROUP),
        str(r, TENANT_ID));
  }

  /** The projection's values of a framed record, through the generic resolving reader. */
  private Object[] generic(byte[] bytes) {
    GenericRecord g = deserializer.deserialize(null, bytes);
    Object[] r = new Object[PROJECTION.getFields().size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = g.get(i);
    }
    return r;
  }

  /**
   * The projection's values of a framed record, through the writer schema's {@link
   * ProjectionReader}; the same header checks, registry errors and messages as {@link
   * ConfluentAvroDeserializer}.
   */
  private Object[] read(byte[] bytes) {
    int id = ConfluentAvro.schemaId(bytes);
    Last last = this.last;
    Object reader;
    if (last != null && last.id() == id) {
      reader = last.reader();
    } else {
      reader = readers.get(id);
      if (reader == null) {
        reader = compile(id);
      }
      this.last = new Last(id, reader);
    }
    if (reader == GENERIC) {
      return generic(bytes);
    }
    try {
      return ((ProjectionReader) reader)
          .read(bytes, ConfluentAvro.HEADER_SIZE, fileNames, FILE_NAME, DEVICE_ID);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot decode Avro payload of "
              + bytes.length
              + " bytes with writer schema id "
              + id
              + " as "
              + PROJECTION.getFullName()
              + ": "
              + e,
          e);
    }
  }

  private Object compile(int id) {
    Schema writer;
    try {
      writer = registry.getById(id);
    } catch (SchemaRegistryException e) {
      if (e.isNotFound()) {
        throw new SerializationException(
            "unknown schema id " + id + ": the schema registry says: " + e.registryMessage(), e);
      }
      throw e;
    }
    ProjectionReader compiled = ProjectionReader.compile(writer, PROJECTION);
    Object reader = compiled == null ? GENERIC : compiled;
    Object raced = readers.putIfAbsent(id, reader);
    return raced == null ? reader : raced;
  }

  private static int pos(String field) {
    Schema.Field f = PROJECTION.getField(field);
    if (f == null) {
      throw new IllegalStateException("DeviceProcessEvent has no field " + field);
    }
    return f.pos();
  }

  private static String str(Object[] r, int pos) {
    Object v = r[pos];
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
