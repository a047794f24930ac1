package dev.webshell.detector.notify.source;

import dev.webshell.detector.registry.ConfluentAvro;
import dev.webshell.detector.registry.ConfluentAvroDeserializer;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryException;
import dev.webshell.detector.serde.AlertJson;
import dev.webshell.schema.WebShellAlert;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Reads an alert record whatever form {@code run} wrote it in, detected per record: byte 0 → the
 * Avro record in the Confluent wire format (resolved against this build's alert schema, so older
 * writers read with defaults); {@code {} → the JSON form. The SIEM forms (OCSF, ECS) are told
 * apart and refused with a reason: they are for SIEMs, not for paging.
 */
public final class AlertDecoder {
  /** The outcome for one record. */
  public sealed interface Decoded permits Alert, Unreadable {}

  public record Alert(WebShellAlert alert) implements Decoded {}

  /** A record that is not an alert notify can read; it goes to the dead letters. */
  public record Unreadable(String reason, String message) implements Decoded {}

  /** The registry cannot answer now: try the record again later (it is not its fault). */
  public static final class RegistryUnavailable extends Exception {
    RegistryUnavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final ConfluentAvroDeserializer<WebShellAlert> avro;

  /**
   * @param registry the schema registry, or null when alerts are JSON only
   */
  public AlertDecoder(SchemaRegistryClient registry) {
    this.avro =
        registry == null ? null : ConfluentAvroDeserializer.specific(registry, WebShellAlert.class);
  }

  public Decoded decode(String topic, byte[] value) throws RegistryUnavailable {
    if (value == null || value.length == 0) {
      return new Unreadable("empty", "the record has no value");
    }
    if (value[0] == ConfluentAvro.MAGIC_BYTE) {
      if (avro == null) {
        return new Unreadable(
            "avro-without-registry",
            "an Avro (Confluent wire format) record, and no --schema-registry-url was given");
      }
      try {
        return new Alert(avro.deserialize(topic, value));
      } catch (SerializationException e) {
        return new Unreadable("bad-avro", e.getMessage());
      } catch (SchemaRegistryException e) {
        throw new RegistryUnavailable("schema registry: " + e.getMessage(), e);
      }
    }
    int i = 0;
    while (i < value.length && Character.isWhitespace(value[i])) {
      i++;
    }
    if (i == value.length || value[i] != '{') {
      return new Unreadable("unknown-format", "neither Confluent Avro (byte 0) nor a JSON object");
    }
    String head = new String(value, i, Math.min(value.length - i, 4096), StandardCharsets.UTF_8);
    if (!head.contains("\"alertId\"")) {
      if (head.contains("\"class_uid\"")) {
        return new Unreadable(
            "siem-format", "an OCSF finding: notify reads the avro or json form of alerts");
      }
      if (head.contains("\"@timestamp\"")) {
        return new Unreadable(
            "siem-format", "an ECS document: notify reads the avro or json form of alerts");
      }
    }
    try {
      return new Alert(AlertJson.fromJson(value));
    } catch (IllegalArgumentException e) {
      return new Unreadable("bad-json", e.getMessage());
    }
  }
}
