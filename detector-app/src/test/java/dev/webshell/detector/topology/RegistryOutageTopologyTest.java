package dev.webshell.detector.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.event.AvroEventDecoder;
import dev.webshell.detector.event.DecodeException;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.MockSchemaRegistryClient;
import dev.webshell.detector.registry.RegisteredSchema;
import dev.webshell.detector.registry.RegistryMisconfiguredException;
import dev.webshell.detector.registry.RegistryUnavailableException;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryException;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.schema.DeviceProcessEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A good Avro record read while the schema registry fails is never a dead letter: the
 * deserialization handler answers FAIL, the task stops before the record's offset, and the same
 * record read again once the registry answers gives its alert.
 */
class RegistryOutageTopologyTest {
  @TempDir Path stateDir;

  /** The mock registry, failing with what {@code fault} gives while it is set. */
  private static final class Flaky implements SchemaRegistryClient {
    final MockSchemaRegistryClient real = new MockSchemaRegistryClient();
    volatile Supplier<SchemaRegistryException> fault;

    private void check() {
      Supplier<SchemaRegistryException> f = fault;
      if (f != null) {
        throw f.get();
      }
    }

    @Override
    public Schema getById(int id) {
      check();
      return real.getById(id);
    }

    @Override
    public Schema getByGuid(UUID guid) {
      check();
      return real.getByGuid(guid);
    }

    @Override
    public int register(String subject, Schema schema) {
      return real.register(subject, schema);
    }

    @Override
    public RegisteredSchema latest(String subject) {
      return real.latest(subject);
    }
  }

  private static SchemaRegistryException answered(int status) {
    return new SchemaRegistryException("answered " + status, status, -1, "down", null);
  }

  private static RegistryUnavailableException unavailable() {
    return new RegistryUnavailableException(
        "schema registry unavailable: GET /schemas/ids/1 failed 4 times", answered(503));
  }

  @Test
  void shouldFailTheTaskWithoutADeadLetterWhileTheRegistryIsDownThenReadTheRecord() {
    Flaky registry = new Flaky();
    byte[] good =
        ConfluentAvroSerializer.<DeviceProcessEvent>forValues(registry.real)
            .serialize(
                "events",
                DeviceProcessEvent.newBuilder()
                    .setTimestamp(Instant.parse("2026-03-01T10:00:00Z"))
                    .setDeviceId("dev-o")
                    .setFileName("cmd.exe")
                    .setProcessCommandLine("cmd /c whoami")
                    .setInitiatingProcessFileName("w3wp.exe")
                    .build());
    for (Supplier<SchemaRegistryException> fault :
        java.util.List.<Supplier<SchemaRegistryException>>of(
            RegistryOutageTopologyTest::unavailable,
            () -> new RegistryMisconfiguredException("credentials refused", answered(401)))) {
      registry.fault = fault;
      try (TopologyHarness h = harness(registry)) {
        StreamsException e = assertThrows(StreamsException.class, () -> h.input.pipeInput(good));
        assertTrue(DeadLetters.notTheRecordsFault(e), e.toString());
        assertTrue(h.deadLetters.isEmpty(), "no dead letter");
        assertTrue(h.alerts.isEmpty());
      }
    }
    registry.fault = null;
    try (TopologyHarness h = harness(registry)) {
      h.input.pipeInput(good);
      assertEquals(1, h.alerts.readValuesToList().size());
      assertTrue(h.deadLetters.isEmpty());
    }
  }

  @Test
  void shouldStillDeadLetterARecordThatIsAtFault() {
    Flaky registry = new Flaky();
    try (TopologyHarness h = harness(registry)) {
      h.input.pipeInput(new byte[] {0, 0, 0, 0, 42, 1, 2}); // an id the registry does not know
      assertEquals(1, h.deadLetters.readRecordsToList().size());
    }
  }

  @Test
  void shouldAnswerFailWithoutDeadLettersForRegistryFaultsInBothHandlers() {
    DeadLetters.OnDeserialization onDeserialization = new DeadLetters.OnDeserialization();
    DeadLetters.OnProcessing onProcessing = new DeadLetters.OnProcessing();
    Map<String, Object> config =
        Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "dead-letters");
    onDeserialization.configure(config);
    onProcessing.configure(config);
    ConsumerRecord<byte[], byte[]> record =
        new ConsumerRecord<>("events", 0, 7L, new byte[] {1}, new byte[] {0, 0, 0, 0, 1});

    var fail = onDeserialization.handleError(null, record, unavailable());
    assertEquals(DeserializationExceptionHandler.Result.FAIL, fail.result());
    assertTrue(fail.deadLetterQueueRecords().isEmpty());

    // the alert serializer's failure reaches the processing handler wrapped by the sink
    var processing =
        onProcessing.handleError(
            null, null, new StreamsException("Unable to serialize record", unavailable()));
    assertEquals(ProcessingExceptionHandler.Result.FAIL, processing.result());
    assertTrue(processing.deadLetterQueueRecords().isEmpty());

    var bad =
        onDeserialization.handleError(
            null, record, new DecodeException("bad-magic-byte", "unknown magic byte 0x01"));
    assertEquals(DeserializationExceptionHandler.Result.RESUME, bad.result());
    assertEquals(1, bad.deadLetterQueueRecords().size());
  }

  private TopologyHarness harness(SchemaRegistryClient registry) {
    return new TopologyHarness(
        RuleSpec.seed(),
        stateDir,
        new InputDeserializer(InputFormat.AUTO, new AvroEventDecoder(registry)));
  }
}
