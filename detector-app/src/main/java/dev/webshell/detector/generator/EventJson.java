package dev.webshell.detector.generator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.webshell.detector.event.Timestamps;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * A {@code DeviceProcessEvent} as a flat JSON row, as advanced hunting exports it: every column,
 * timestamps with seven fractional digits.
 */
public final class EventJson {
  private static final JsonFactory JSON = new JsonFactory();

  private EventJson() {}

  public static String toJson(IndexedRecord e) {
    StringWriter w = new StringWriter(1600);
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      for (Schema.Field f : e.getSchema().getFields()) {
        Object v = e.get(f.pos());
        g.writeFieldName(f.name());
        if (v == null) {
          g.writeNull();
        } else if (v instanceof Instant i) {
          g.writeString(sevenDigits(i));
        } else if (v instanceof Long l) {
          g.writeNumber(l);
        } else {
          g.writeString(v.toString());
        }
      }
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return w.toString();
  }

  /** {@code 2021-04-14T18:49:17.7849320Z}: Defender's seven digits (the last is always 0 here). */
  static String sevenDigits(Instant i) {
    String micros = Timestamps.format(i);
    return micros.substring(0, micros.length() - 1) + "0Z";
  }
}
