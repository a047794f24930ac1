package dev.webshell.detector.topology;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.schema.DeviceProcessEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The same test events in the other input formats of SPEC 6: Confluent-framed Avro {@code
 * DeviceProcessEvent}, and Defender Streaming API envelopes holding several records, mixed with
 * records of other categories.
 */
final class InputEncodings {
  private InputEncodings() {}

  /** Avro through the project's serializer (schema registered in the given registry). */
  static List<byte[]> avro(List<Ev> events, SchemaRegistryClient registry) {
    ConfluentAvroSerializer<DeviceProcessEvent> serializer =
        ConfluentAvroSerializer.forValues(registry);
    List<byte[]> out = new ArrayList<>(events.size());
    for (Ev e : events) {
      DeviceProcessEvent.Builder b =
          DeviceProcessEvent.newBuilder()
              .setTimestamp(Timestamps.toInstant(e.micros))
              .setDeviceId(e.deviceId)
              .setDeviceName(e.deviceName)
              .setActionType("ProcessCreated")
              .setFileName(e.fileName)
              .setProcessCommandLine(e.cmd)
              .setInitiatingProcessFileName(e.initiating)
              .setInitiatingProcessParentFileName(e.parent)
              .setInitiatingProcessCommandLine(e.initiatingCmd)
              .setReportId(e.reportId)
              .setProcessId(e.processId)
              .setAccountName(e.account);
      out.add(serializer.serialize("events", b.build()));
    }
    return out;
  }

  /** One message: how many process events and records of other categories it holds. */
  record Envelope(byte[] bytes, int events, int foreign) {}

  /**
   * Streaming API messages: {@code {"records":[{"time", "tenantId", "operationName", "category",
   * "properties"}]}}, Timestamps with seven fractional digits (the seventh is cut), and now and
   * then a record of another category whose properties look like a matching event dated far ahead:
   * skipped, it must neither match nor move stream time.
   */
  static List<Envelope> envelopes(List<Ev> events, long seed) {
    Random r = new Random(seed);
    List<Envelope> out = new ArrayList<>();
    int i = 0;
    while (i < events.size()) {
      int n = Math.min(1 + r.nextInt(5), events.size() - i);
      ObjectNode message = Ev.JSON.createObjectNode();
      ArrayNode records = message.putArray("records");
      int foreign = 0;
      for (int k = 0; k < n; k++) {
        if (r.nextInt(4) == 0) {
          records.add(foreign(events.get(i + k), r));
          foreign++;
        }
        Ev e = events.get(i + k);
        records.add(record(e, "AdvancedHunting-DeviceProcessEvents", e.micros, r));
      }
      if (r.nextInt(4) == 0) {
        records.add(foreign(events.get(i), r));
        foreign++;
      }
      out.add(new Envelope(message.toString().getBytes(StandardCharsets.UTF_8), n, foreign));
      i += n;
    }
    return out;
  }

  private static ObjectNode foreign(Ev like, Random r) {
    String[] categories = {
      "AdvancedHunting-DeviceNetworkEvents",
      "AdvancedHunting-DeviceFileEvents",
      "AdvancedHunting-DeviceProcessEvent"
    };
    Ev e =
        Ev.atMicros(like.micros + 300 * DifferentialStream.DAY)
            .device(like.deviceId)
            .cmd("cmd /c whoami /foreign")
            .initiating("w3wp.exe");
    return record(e, categories[r.nextInt(categories.length)], e.micros, r);
  }

  private static ObjectNode record(Ev e, String category, long micros, Random r) {
    ObjectNode rec = Ev.JSON.createObjectNode();
    rec.put("time", seven(micros + r.nextInt(5_000_000), r));
    rec.put("tenantId", "c0ffee00-0000-4000-8000-000000000001");
    rec.put("operationName", "Publish");
    rec.put("category", category);
    rec.set("properties", e.row(seven(micros, r)));
    return rec;
  }

  /** ISO-8601 with seven fractional digits, as Defender writes them: the seventh is random. */
  private static String seven(long micros, Random r) {
    String six = Timestamps.format(micros);
    return six.substring(0, six.length() - 1) + r.nextInt(10) + "Z";
  }
}
