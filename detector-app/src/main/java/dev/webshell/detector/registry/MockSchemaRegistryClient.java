package dev.webshell.detector.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * An in-memory schema registry for tests and demos, selected by the URL {@code mock://NAME}.
 *
 * <p>Like Confluent's serde, all users of the same {@code NAME} in one JVM share one instance
 * ({@link #forScope}), so that a serializer and a deserializer configured separately see the same
 * schemas; {@link #dropScope} forgets one. Ids are global to the instance and assigned from 1; the
 * same schema text gets the same id in every subject, as in Confluent Schema Registry. Each subject
 * checks BACKWARD compatibility against its latest version (the Confluent default) and refuses an
 * incompatible schema with a 409 {@link SchemaRegistryException} whose message reads like
 * Confluent's.
 *
 * <p>Schemas are stored as text and parsed back, so that what {@link #getById} returns is what a
 * real registry would return. Each schema also has a GUID ({@link #guid(int)}, {@link #getByGuid}),
 * as in Confluent Schema Registry 8.
 */
public final class MockSchemaRegistryClient implements SchemaRegistryClient {
  private static final Map<String, MockSchemaRegistryClient> SCOPES = new ConcurrentHashMap<>();

  private final String scope;
  private final Map<Integer, String> textById = new HashMap<>();
  private final Map<String, Integer> idByText = new HashMap<>();
  private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();

  /** A fresh registry of its own, not shared through a scope. */
  public MockSchemaRegistryClient() {
    this(null);
  }

  private MockSchemaRegistryClient(String scope) {
    this.scope = scope;
  }

  /** The shared instance for {@code mock://scope}, created on first use. */
  public static MockSchemaRegistryClient forScope(String scope) {
    Objects.requireNonNull(scope, "scope");
    return SCOPES.computeIfAbsent(scope, MockSchemaRegistryClient::new);
  }

  /** Forgets the shared instance of {@code scope}: the next {@link #forScope} starts empty. */
  public static void dropScope(String scope) {
    SCOPES.remove(scope);
  }

  @Override
  public synchronized Schema getById(int id) {
    String text = textById.get(id);
    if (text == null) {
      throw notFound(SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
    }
    return new Schema.Parser().parse(text);
  }

  @Override
  public synchronized Schema getByGuid(UUID guid) {
    for (Map.Entry<Integer, String> e : textById.entrySet()) {
      if (guidOf(e.getValue()).equals(guid)) {
        return new Schema.Parser().parse(e.getValue());
      }
    }
    throw notFound(SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + guid + " not found");
  }

  /** The GUID of the schema with this id (a name-based UUID of its text). */
  public synchronized UUID guid(int id) {
    String text = textById.get(id);
    if (text == null) {
      throw notFound(SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
    }
    return guidOf(text);
  }

  private static UUID guidOf(String text) {
    return UUID.nameUUIDFromBytes(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Override
  public synchronized int register(String subject, Schema schema) {
    Objects.requireNonNull(subject, "subject");
    String text = schema.toString();
    List<Integer> versions = versionsBySubject.get(subject);
    Integer existing = idByText.get(text);
    if (versions != null && existing != null && versions.contains(existing)) {
      return existing;
    }
    if (versions != null && !versions.isEmpty()) {
      int latestVersion = versions.size();
      Schema latest = new Schema.Parser().parse(textById.get(versions.get(latestVersion - 1)));
      Schema candidate = new Schema.Parser().parse(text);
      // BACKWARD: the new schema must read what the latest one wrote
      SchemaCompatibilityResult result =
          SchemaCompatibility.checkReaderWriterCompatibility(candidate, latest).getResult();
      if (result.getCompatibility() != SchemaCompatibilityType.COMPATIBLE) {
        String message =
            "Schema being registered is incompatible with an earlier schema for subject \""
                + subject
                + "\", details: ["
                + result.getIncompatibilities().stream()
                    .map(MockSchemaRegistryClient::detail)
                    .collect(Collectors.joining(", "))
                + ", {oldSchemaVersion: "
                + latestVersion
                + "}, {oldSchema: '"
                + latest
                + "'}, {compatibility: 'BACKWARD'}]";
        throw new SchemaRegistryException(
            describe() + " answered 409 (error_code 409): " + message,
            409,
            SchemaRegistryException.INCOMPATIBLE_SCHEMA,
            message,
            null);
      }
    }
    int id = existing != null ? existing : textById.size() + 1;
    textById.put(id, text);
    idByText.put(text, id);
    versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
    return id;
  }

  @Override
  public synchronized RegisteredSchema latest(String subject) {
    List<Integer> versions = versionsBySubject.get(subject);
    if (versions == null || versions.isEmpty()) {
      throw notFound(
          SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }
    int id = versions.get(versions.size() - 1);
    return new RegisteredSchema(subject, id, versions.size(), getById(id));
  }

  /** The subjects registered so far, for assertions in tests. */
  public synchronized List<String> subjects() {
    return List.copyOf(versionsBySubject.keySet());
  }

  @Override
  public String toString() {
    return "MockSchemaRegistryClient[" + (scope == null ? "unscoped" : "mock://" + scope) + "]";
  }

  private String describe() {
    return "mock schema registry " + (scope == null ? "(unscoped)" : "mock://" + scope);
  }

  private SchemaRegistryException notFound(int errorCode, String message) {
    return new SchemaRegistryException(
        describe() + " answered 404 (error_code " + errorCode + "): " + message,
        404,
        errorCode,
        message,
        null);
  }

  private static String detail(Incompatibility i) {
    return "{errorType:'"
        + i.getType()
        + "', description:'At path '"
        + i.getLocation()
        + "': "
        + i.getMessage()
        + "', additionalInfo:'"
        + i.getMessage()
        + "'}";
  }
}
