package dev.webshell.detector.serde;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.schema.Evidence;
import dev.webshell.schema.WebShellAlert;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The JSON form of an alert: one object per revision, field names and order as in the Avro schema,
 * timestamps as ISO-8601 UTC strings with microseconds. Written from the Avro record, so the two
 * forms cannot drift apart; read back ({@link #fromJson}) by the same schema, so a consumer such as
 * {@code notify} sees the JSON and the Avro form alike.
 */
public final class AlertJson {
  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper READER = new ObjectMapper();

  private AlertJson() {}

  public static String toJson(IndexedRecord record) {
    StringWriter w = new StringWriter(1024);
    try (JsonGenerator g = JSON.createGenerator(w)) {
      writeRecord(g, record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** A Kafka serializer writing the JSON form as UTF-8 (for {@code --alert-format json}). */
  public static <T extends IndexedRecord> Serializer<T> serializer() {
    return (topic, r) -> r == null ? null : toJson(r).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads the JSON form back into an alert. Fields the schema gives a default may be missing (the
   * form of an older writer: {@code status} is then "open"); fields the schema does not know are
   * ignored (a newer writer's).
   *
   * @throws IllegalArgumentException if the text is not an alert's JSON form
   */
  public static WebShellAlert fromJson(byte[] utf8) {
    JsonNode node;
    try {
      node = READER.readTree(utf8);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    WebShellAlert alert = new WebShellAlert();
    readRecord(alert, node, "");
    return alert;
  }

  private static void readRecord(SpecificRecordBase record, JsonNode node, String path) {
    for (Schema.Field f : record.getSchema().getFields()) {
      JsonNode v = node.get(f.name());
      String at = path + f.name();
      if (v == null) {
        if (!f.hasDefaultValue()) {
          throw new IllegalArgumentException("missing field " + at);
        }
        Object d = f.defaultVal();
        record.put(f.pos(), d == JsonProperties.NULL_VALUE ? null : d);
      } else {
        record.put(f.pos(), readValue(f.schema(), v, at));
      }
    }
  }

  private static Object readValue(Schema schema, JsonNode v, String at) {
    switch (schema.getType()) {
      case UNION -> {
        if (v.isNull()) {
          if (schema.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL)) {
            return null;
          }
          throw new IllegalArgumentException(at + " must not be null");
        }
        for (Schema branch : schema.getTypes()) {
          if (branch.getType() != Schema.Type.NULL) {
            return readValue(branch, v, at);
          }
        }
        throw new IllegalArgumentException(at + ": no branch for a value");
      }
      case STRING -> {
        if (!v.isTextual()) {
          throw new IllegalArgumentException(at + " must be a string");
        }
        return v.textValue();
      }
      case INT -> {
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
          throw new IllegalArgumentException(at + " must be an int");
        }
        return v.intValue();
      }
      case LONG -> {
        if (LogicalTypes.timestampMicros().equals(schema.getLogicalType())) {
          if (!v.isTextual()) {
            throw new IllegalArgumentException(at + " must be an ISO-8601 time");
          }
          try {
            return Timestamps.toInstant(Timestamps.parseMicros(v.textValue()));
          } catch (RuntimeException e) {
            throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
          }
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
          throw new IllegalArgumentException(at + " must be a long");
        }
        return v.longValue();
      }
      case BOOLEAN -> {
        if (!v.isBoolean()) {
          throw new IllegalArgumentException(at + " must be a boolean");
        }
        return v.booleanValue();
      }
      case ARRAY -> {
        if (!v.isArray()) {
          throw new IllegalArgumentException(at + " must be an array");
        }
        List<Object> items = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
          items.add(readValue(schema.getElementType(), v.get(i), at + "[" + i + "]"));
        }
        return items;
      }
      case RECORD -> {
        if (!v.isObject()) {
          throw new IllegalArgumentException(at + " must be an object");
        }
        if (!Evidence.getClassSchema().getFullName().equals(schema.getFullName())) {
          throw new IllegalArgumentException(at + ": unexpected record " + schema.getFullName());
        }
        Evidence e = new Evidence();
        readRecord(e, v, at + ".");
        return e;
      }
      default -> throw new IllegalArgumentException(at + ": unsupported type " + schema.getType());
    }
  }

  private static void writeRecord(JsonGenerator g, IndexedRecord r) throws IOException {
    g.writeStartObject();
    for (Schema.Field f : r.getSchema().getFields()) {
      g.writeFieldName(f.name());
      writeValue(g, r.get(f.pos()));
    }
    g.writeEndObject();
  }

  private static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof Instant i) {
      g.writeString(Timestamps.format(i));
    } else if (v instanceof CharSequence s) {
      g.writeString(s.toString());
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Integer n) {
      g.writeNumber(n);
    } else if (v instanceof Long n) {
      g.writeNumber(n);
    } else if (v instanceof IndexedRecord rec) {
      writeRecord(g, rec);
    } else if (v instanceof List<?> list) {
      g.writeStartArray();
      for (Object o : list) {
        writeValue(g, o);
      }
      g.writeEndArray();
    } else {
      g.writeString(v.toString());
    }
  }
}
