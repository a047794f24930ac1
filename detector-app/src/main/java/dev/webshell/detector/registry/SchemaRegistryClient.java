package dev.webshell.detector.registry;

import java.util.UUID;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API the detector needs. Implementations are
 * thread-safe. Failures raise {@link SchemaRegistryException}.
 *
 * @see SchemaRegistryClients#create(RegistryConfig)
 */
public interface SchemaRegistryClient extends AutoCloseable {

  /**
   * The schema with this global id ({@code GET /schemas/ids/{id}}). Ids are immutable, so answers
   * are cached for the life of the client.
   *
   * @throws SchemaRegistryException with {@link SchemaRegistryException#isNotFound()} for an
   *     unknown id
   */
  Schema getById(int id);

  /**
   * The schema with this GUID ({@code GET /schemas/guids/{guid}}, Confluent Schema Registry 8):
   * what Confluent 8's serializers write into a record's {@code __value_schema_id} header. Cached
   * for the life of the client.
   *
   * @throws SchemaRegistryException with {@link SchemaRegistryException#isUnknownSchema()} for an
   *     unknown GUID; a registry without GUIDs answers 404 without that error code
   */
  Schema getByGuid(UUID guid);

  /**
   * Registers {@code schema} under {@code subject} ({@code POST /subjects/{subject}/versions}) and
   * returns its global id; registering a schema the subject already holds returns the existing id.
   * Cached per (subject, schema).
   *
   * @throws SchemaRegistryException with {@link SchemaRegistryException#isIncompatible()} when the
   *     subject's compatibility rule refuses it
   */
  int register(String subject, Schema schema);

  /**
   * The latest version of {@code subject} ({@code GET /subjects/{subject}/versions/latest}). Not
   * cached: the answer changes when a new version is registered.
   *
   * @throws SchemaRegistryException with {@link SchemaRegistryException#isNotFound()} for an
   *     unknown subject
   */
  RegisteredSchema latest(String subject);

  /** Releases resources; the default does nothing. */
  @Override
  default void close() {}
}
