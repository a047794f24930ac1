package dev.webshell.detector.serde;

import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.siem.EcsAlert;
import dev.webshell.detector.siem.OcsfDetectionFinding;
import dev.webshell.schema.WebShellAlert;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** The one place that turns an {@link AlertFormat} into the serializer of alert revisions. */
public final class AlertSerializers {
  private AlertSerializers() {}

  /**
   * The serializer for {@code format}.
   *
   * @param registry the schema registry; needed for {@link AlertFormat#AVRO} only (may be null
   *     otherwise)
   */
  public static Serializer<WebShellAlert> forFormat(
      AlertFormat format, SchemaRegistryClient registry) {
    return switch (format) {
      case AVRO ->
          ConfluentAvroSerializer.forValues(
              Objects.requireNonNull(registry, "avro alerts need a schema registry"));
      case JSON -> AlertJson.serializer();
      case OCSF -> (topic, a) -> a == null ? null : OcsfDetectionFinding.toBytes(a);
      case ECS -> (topic, a) -> a == null ? null : EcsAlert.toBytes(a);
    };
  }

  /**
   * A serde for the topology's alert output: it only ever writes alerts, so its deserializer is
   * never called.
   */
  public static Serde<WebShellAlert> outputSerde(
      AlertFormat format, SchemaRegistryClient registry) {
    return Serdes.serdeFrom(forFormat(format, registry), (t, b) -> null);
  }
}
