package dev.webshell.detector.topology;

import dev.webshell.detector.event.Decoded;
import dev.webshell.detector.event.QuietRuns;
import dev.webshell.schema.WebShellAlert;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;

/**
 * The serdes the topology takes from outside, so tests can swap the schema registry for an
 * in-memory one and {@code scan} can write JSON.
 *
 * @param quietRuns what {@code input} reads runs of quiet records with, when a consumer in front of
 *     the topology folds them ({@link QuietRuns}); {@code null} when none does
 */
public record DetectorSerdes(
    Deserializer<Decoded> input, Serde<WebShellAlert> alerts, QuietRuns quietRuns) {
  public DetectorSerdes {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(alerts, "alerts");
  }

  public DetectorSerdes(Deserializer<Decoded> input, Serde<WebShellAlert> alerts) {
    this(input, alerts, null);
  }
}
