package dev.webshell.detector.registry;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.DatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serializer} writing Avro records in the Confluent wire format under the topic-name
 * subject ({@code <topic>-value}, or {@code <topic>-key} for keys).
 *
 * <p>With {@link SchemaLookup#AUTO_REGISTER} (the default) the record's schema is registered under
 * the subject (cached by the client, so once per schema); with {@link SchemaLookup#USE_LATEST} it
 * is not registered: the subject's latest version is looked up once and must equal the record's
 * schema. Takes generated {@code SpecificRecord}s (with their logical-type conversions) as well as
 * {@code GenericRecord}s. A {@code null} record serializes to {@code null} (a tombstone).
 *
 * <p>A schema the registry refuses (409 incompatible, 422 invalid) raises a {@link
 * SerializationException} holding the registry's message. The registry's own failures are not the
 * record's: 401 or 403 (credentials refused) and a 404 without Confluent's error code (the URL
 * leads to no Confluent-compatible API) raise {@link RegistryMisconfiguredException}; a registry
 * that still fails after the client's retries and failover raises {@link
 * RegistryUnavailableException}.
 *
 * @param <T> the record type, typically a generated class such as {@code WebShellAlert}
 */
public final class ConfluentAvroSerializer<T extends IndexedRecord> implements Serializer<T> {

  /** How the serializer finds the schema id to write. */
  public enum SchemaLookup {
    /** Register the record's schema under the subject (idempotent). */
    AUTO_REGISTER,
    /** Use the subject's latest version, registered beforehand by someone else. */
    USE_LATEST
  }

  private final SchemaRegistryClient client;
  private final boolean isKey;
  private final SchemaLookup lookup;
  private final Map<Schema, DatumWriter<T>> writers = new ConcurrentHashMap<>();
  private final Map<String, Integer> latestIds = new ConcurrentHashMap<>();

  /**
   * @param client the registry
   * @param isKey whether this serializes keys ({@code -key} subject) or values ({@code -value})
   * @param lookup register the schema or use the latest version
   */
  public ConfluentAvroSerializer(SchemaRegistryClient client, boolean isKey, SchemaLookup lookup) {
    this.client = Objects.requireNonNull(client, "client");
    this.isKey = isKey;
    this.lookup = Objects.requireNonNull(lookup, "lookup");
  }

  /** A value serializer that registers its schema under {@code <topic>-value}. */
  public static <T extends IndexedRecord> ConfluentAvroSerializer<T> forValues(
      SchemaRegistryClient client) {
    return new ConfluentAvroSerializer<>(client, false, SchemaLookup.AUTO_REGISTER);
  }

  @Override
  public byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    Schema schema = record.getSchema();
    String subject = ConfluentAvro.subject(topic, isKey);
    int id =
        lookup == SchemaLookup.AUTO_REGISTER ? register(subject, schema) : latest(subject, schema);
    DatumWriter<T> writer = writers.computeIfAbsent(schema, s -> ConfluentAvro.writerFor(record));
    return ConfluentAvro.encode(id, record, writer);
  }

  private int register(String subject, Schema schema) {
    try {
      return client.register(subject, schema);
    } catch (RegistryUnavailableException | RegistryMisconfiguredException e) {
      throw e;
    } catch (SchemaRegistryException e) {
      String call = "registering schema " + schema.getFullName() + " under subject " + subject;
      if (e.isAuthFailure() || e.isNotFound()) {
        throw misconfigured(e, call);
      }
      if (e.status() >= 400 && e.status() < 500) {
        throw new SerializationException(
            "schema registry refused schema "
                + schema.getFullName()
                + " for subject "
                + subject
                + ": "
                + e.registryMessage(),
            e);
      }
      throw new RegistryUnavailableException(
          "schema registry unavailable while " + call + ": " + e.getMessage(), e);
    }
  }

  /** 401, 403, or a 404 (which no registration or known subject's lookup answers). */
  static RegistryMisconfiguredException misconfigured(SchemaRegistryException e, String call) {
    return new RegistryMisconfiguredException(
        e.isAuthFailure()
            ? "the schema registry refuses the detector's credentials ("
                + call
                + "; check the user and password, or the token, and the registry's permissions): "
                + e.getMessage()
            : "the schema registry URL leads to no Confluent-compatible API ("
                + call
                + " answered 404 without a Confluent error code; Apicurio serves the API under"
                + " /apis/ccompat/v7): "
                + e.getMessage(),
        e);
  }

  private int latest(String subject, Schema schema) {
    Integer cached = latestIds.get(subject);
    if (cached != null) {
      return cached;
    }
    RegisteredSchema latest;
    try {
      latest = client.latest(subject);
    } catch (RegistryUnavailableException | RegistryMisconfiguredException e) {
      throw e;
    } catch (SchemaRegistryException e) {
      if (e.isUnknownSubject()) {
        throw new SerializationException(
            "subject " + subject + " has no schema to use: " + e.registryMessage(), e);
      }
      if (e.isAuthFailure() || e.isNotFound()) {
        throw misconfigured(e, "looking up the latest schema of subject " + subject);
      }
      throw new RegistryUnavailableException(
          "schema registry unavailable while looking up the latest schema of subject "
              + subject
              + ": "
              + e.getMessage(),
          e);
    }
    if (!latest.schema().equals(schema)) {
      throw new SerializationException(
          "the latest schema of subject "
              + subject
              + " (id "
              + latest.id()
              + ", version "
              + latest.version()
              + ") is not the record's schema "
              + schema.getFullName());
    }
    latestIds.putIfAbsent(subject, latest.id());
    return latest.id();
  }
}
