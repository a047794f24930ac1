package dev.webshell.detector.serde;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.webshell.detector.event.Timestamps;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The JSON form of an alert: one object per revision, field names and order as in the Avro schema,
 * timestamps as ISO-8601 UTC strings with microseconds. Written from the Avro record, so the two
 * forms cannot drift apart.
 */
public final class AlertJson {
  private static final JsonFactory JSON = new JsonFactory();

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
