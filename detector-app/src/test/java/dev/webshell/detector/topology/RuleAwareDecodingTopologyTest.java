package dev.webshell.detector.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.event.AvroEventDecoder;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.MockSchemaRegistryClient;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.schema.DeviceProcessEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The detector's topology fed the same Avro traffic twice: through the decoder that leaves the
 * strings of events that cannot match unbuilt (what {@code run} and {@code hunt} use) and through
 * the one that builds every event in full. The same alert revisions and the same dead letters come
 * out: nothing downstream of the decoder reads an event that does not match.
 */
class RuleAwareDecodingTopologyTest {
  @TempDir Path stateDir;

  @ParameterizedTest
  @ValueSource(strings = {"kql", "hardened"})
  void shouldEmitTheSameAlertsAndDeadLettersAsWithFullyDecodedEvents(String profile) {
    RuleSpec spec = RuleFiles.builtIn(profile);
    MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    List<byte[]> records = traffic(registry);
    Output full = run(spec, stateDir.resolve("full"), new AvroEventDecoder(registry), records);
    Output lazy =
        run(
            spec,
            stateDir.resolve("lazy"),
            new AvroEventDecoder(registry, new Rule(spec)::mayBeShell),
            records);
    assertEquals(full.alerts, lazy.alerts);
    assertEquals(full.deadLetters, lazy.deadLetters);
    assertTrue(full.alerts.size() > 20 && full.deadLetters.size() > 10, full.toString());
  }

  private record Output(List<String> alerts, List<String> deadLetters) {
    @Override
    public String toString() {
      return alerts.size() + " alert revisions, " + deadLetters.size() + " dead letters";
    }
  }

  /** Full-width events with frequent intrusions, every 50th record cut short. */
  private static List<byte[]> traffic(MockSchemaRegistryClient registry) {
    var serializer = ConfluentAvroSerializer.<DeviceProcessEvent>forValues(registry);
    TrafficGenerator gen = new TrafficGenerator(41, 30, 0.03);
    Random random = new Random(41);
    List<byte[]> records = new ArrayList<>();
    long t = 1_700_000_000_000_000L;
    for (int i = 0; i < 1_500; i++) {
      byte[] bytes = serializer.serialize("events", gen.next(t + i * 60_000_000L));
      if (i % 50 == 49) {
        bytes = Arrays.copyOf(bytes, 5 + random.nextInt(bytes.length - 5));
      }
      records.add(bytes);
    }
    return records;
  }

  private static Output run(
      RuleSpec spec, Path dir, AvroEventDecoder decoder, List<byte[]> records) {
    try (TopologyHarness h =
        new TopologyHarness(spec, dir, new InputDeserializer(InputFormat.AUTO, decoder))) {
      List<String> alerts = new ArrayList<>();
      for (byte[] r : records) {
        h.sendBytes(r).forEach(a -> alerts.add(a.toString()));
      }
      List<String> deadLetters = new ArrayList<>();
      for (TestRecord<byte[], byte[]> d : h.deadLetters.readRecordsToList()) {
        StringBuilder s = new StringBuilder(Arrays.toString(d.value()));
        for (Header header : d.headers()) {
          s.append(' ').append(header.key()).append('=');
          if (header.value() != null) {
            s.append(new String(header.value(), StandardCharsets.UTF_8));
          }
        }
        deadLetters.add(s.toString());
      }
      return new Output(alerts, deadLetters);
    }
  }
}
