package dev.webshell.detector.topology;

import dev.webshell.detector.event.Decoded;
import dev.webshell.schema.WebShellAlert;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;

/**
 * The serdes the topology takes from outside, so tests can swap the schema registry for an
 * in-memory one and {@code scan} can write JSON.
 */
public record DetectorSerdes(Deserializer<Decoded> input, Serde<WebShellAlert> alerts) {
  public DetectorSerdes {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(alerts, "alerts");
  }
}
