package dev.webshell.bench;

import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.schema.DeviceProcessEvent;
import java.nio.charset.StandardCharsets;

/** The bench's events as record values of one topic: Confluent Avro or JSON. */
final class EventEncoder {
  private final boolean avro;
  private final String topic;
  private final ConfluentAvroSerializer<DeviceProcessEvent> serializer;

  /**
   * Registers the schema once, then serializes with the subject's latest id (the mock registry
   * would otherwise compare the whole schema text on every record).
   */
  EventEncoder(boolean avro, SchemaRegistryClient registry, String topic) {
    this.avro = avro;
    this.topic = topic;
    registry.register(topic + "-value", DeviceProcessEvent.getClassSchema());
    this.serializer =
        new ConfluentAvroSerializer<>(
            registry, false, ConfluentAvroSerializer.SchemaLookup.USE_LATEST);
  }

  byte[] encode(DeviceProcessEvent e) {
    return avro
        ? serializer.serialize(topic, e)
        : EventJson.toJson(e).getBytes(StandardCharsets.UTF_8);
  }
}
