package dev.webshell.detector.event;

import dev.webshell.detector.registry.ConfluentAvro;
import dev.webshell.detector.registry.RegistryMisconfiguredException;
import dev.webshell.detector.registry.RegistryUnavailableException;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryException;
import dev.webshell.detector.registry.UnreadableRecordException;
import dev.webshell.detector.registry.WriterSchemaRef;
import dev.webshell.schema.DeviceProcessEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.header.Headers;

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
 *
 * <p>The writer schema is named by the payload's prefix, or by Confluent 8's {@code
 * __value_schema_id} header ({@link WriterSchemaRef}). Its {@code Timestamp} may be {@code
 * timestamp-micros}, {@code timestamp-millis} (Kafka Connect, ksqlDB, Flink: scaled) or {@code
 * timestamp-nanos}; a writer schema whose Timestamp has another type or unit is refused, its
 * records dead-lettered as {@code unusable-schema} with the reason ({@link WriterTimestamp}).
 *
 * <p>Failures are told apart by whose fault they are: the record's ({@link DecodeException}, a dead
 * letter), the registry's ({@link RegistryUnavailableException}: the partition waits) or the
 * configuration's ({@link RegistryMisconfiguredException}: the detector stops).
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

  private final SchemaRegistryClient registry;
  private final boolean specialized;
  private final FileNameFilter fileNames; // null: every event complete
  private final Map<Integer, Plan> plans = new ConcurrentHashMap<>(); // by writer schema id
  private final Map<UUID, Plan> plansByGuid = new ConcurrentHashMap<>(); // Confluent 8's GUIDs
  // the plan of the schema id seen last (nearly always the next one's): no boxing, no map lookup
  private volatile Last last;

  private record Last(int id, Plan plan) {}

  /**
   * How the records of one writer schema are read: with its {@link ProjectionReader}, or with
   * Avro's generic resolving reader where that does not apply ({@code projection} null), and how
   * its Timestamp becomes microseconds; or, {@code refused} not null, why none of them can be.
   */
  private record Plan(
      WriterSchemaRef ref,
      ProjectionReader projection,
      GenericDatumReader<GenericRecord> generic,
      WriterTimestamp unit,
      DecodeException refused) {}

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

  /** The event of a record whose writer schema id is in the payload (Confluent's prefix). */
  @Override
  public ProcessEvent apply(byte[] bytes) {
    return apply(null, bytes);
  }

  /**
   * The event of a record, its writer schema named by the payload's prefix or by Confluent 8's
   * {@code __value_schema_id} header ({@link WriterSchemaRef}).
   *
   * @throws DecodeException the record's fault: it goes to the dead letters
   * @throws RegistryUnavailableException the registry's fault, after retries: not a dead letter
   * @throws RegistryMisconfiguredException the configuration's fault (credentials, URL): fatal
   */
  public ProcessEvent apply(Headers headers, byte[] bytes) {
    Plan plan;
    Object[] r;
    try {
      plan = plan(headers, bytes);
      r = read(plan, bytes);
    } catch (DecodeException | RegistryUnavailableException | RegistryMisconfiguredException e) {
      throw e;
    } catch (UnreadableRecordException e) {
      throw new DecodeException(e.reason(), e.getMessage());
    } catch (SchemaRegistryException e) {
      throw new RegistryUnavailableException("schema registry unavailable: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new DecodeException(
          UnreadableRecordException.INVALID_AVRO,
          "unreadable Avro: " + e.getClass().getSimpleName());
    }
    Object ts = r[TIMESTAMP];
    Object deviceId = r[DEVICE_ID];
    if (deviceId == null || deviceId.toString().isEmpty()) {
      throw new DecodeException("missing-field", "DeviceId is missing or empty");
    }
    if (!(ts instanceof Long raw)) {
      throw new DecodeException("missing-field", "Timestamp is missing");
    }
    long micros;
    try {
      micros = plan.unit().toMicros(raw);
    } catch (ArithmeticException e) {
      throw new DecodeException(
          "bad-timestamp",
          "Timestamp "
              + raw
              + " ("
              + plan.unit().name().toLowerCase(Locale.ROOT)
              + ") is out of range");
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

  /** The plan of the record's writer schema, compiled on its first record. */
  private Plan plan(Headers headers, byte[] bytes) {
    if (WriterSchemaRef.inValueHeader(headers)) {
      WriterSchemaRef ref = WriterSchemaRef.ofValue(headers, bytes);
      if (ref.guid() != null) {
        Plan plan = plansByGuid.get(ref.guid());
        if (plan == null) {
          plan = compile(ref);
          Plan raced = plansByGuid.putIfAbsent(ref.guid(), plan);
          plan = raced == null ? plan : raced;
        }
        return plan;
      }
      // an id in the header: the same schema as that id in a prefix, but its body starts at 0
      Plan byId = planOfId(ref.id());
      return new Plan(ref, byId.projection(), byId.generic(), byId.unit(), byId.refused());
    }
    return planOfId(ConfluentAvro.schemaId(bytes));
  }

  private Plan planOfId(int id) {
    Last last = this.last;
    if (last != null && last.id() == id) {
      return last.plan();
    }
    Plan plan = plans.get(id);
    if (plan == null) {
      plan = compile(new WriterSchemaRef(id, null, null, ConfluentAvro.HEADER_SIZE));
      Plan raced = plans.putIfAbsent(id, plan);
      plan = raced == null ? plan : raced;
    }
    this.last = new Last(id, plan);
    return plan;
  }

  /**
   * The projection's values of a record (by field position), through the writer schema's {@link
   * ProjectionReader} or Avro's generic resolving reader.
   */
  private Object[] read(Plan plan, byte[] bytes) {
    if (plan.refused() != null) {
      throw plan.refused();
    }
    int offset = plan.ref().bodyOffset();
    try {
      if (plan.projection() != null) {
        return plan.projection().read(bytes, offset, fileNames, FILE_NAME, DEVICE_ID);
      }
      GenericRecord g =
          plan.generic()
              .read(
                  null,
                  DecoderFactory.get().binaryDecoder(bytes, offset, bytes.length - offset, null));
      Object[] r = new Object[PROJECTION.getFields().size()];
      for (int i = 0; i < r.length; i++) {
        r[i] = g.get(i);
      }
      return r;
    } catch (IOException | RuntimeException e) {
      // EOFException for a truncated body; AvroRuntimeException, IndexOutOfBounds or worse for
      // bytes that do not follow the writer schema: all of them faults of this record
      throw new UnreadableRecordException(
          UnreadableRecordException.INVALID_AVRO,
          "cannot decode Avro payload of "
              + bytes.length
              + " bytes with writer "
              + plan.ref()
              + " as "
              + PROJECTION.getFullName()
              + ": "
              + e,
          e);
    }
  }

  private Plan compile(WriterSchemaRef ref) {
    Schema writer = ref.fetch(registry);
    WriterTimestamp unit;
    try {
      unit = WriterTimestamp.of(writer);
    } catch (IllegalArgumentException e) {
      return new Plan(
          ref,
          null,
          null,
          null,
          new DecodeException(
              UnreadableRecordException.UNUSABLE_SCHEMA,
              "writer " + ref + " cannot be read into the event: " + e.getMessage()));
    }
    ProjectionReader projection = specialized ? ProjectionReader.compile(writer, PROJECTION) : null;
    GenericDatumReader<GenericRecord> generic =
        projection != null ? null : new GenericDatumReader<>(writer, PROJECTION, GenericData.get());
    return new Plan(ref, projection, generic, unit, null);
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
}
