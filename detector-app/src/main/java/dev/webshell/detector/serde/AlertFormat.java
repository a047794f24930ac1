package dev.webshell.detector.serde;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How alert revisions are written: the detector's Avro or JSON form, or a SIEM schema. */
public enum AlertFormat {
  /** The Avro record in the Confluent wire format (subject {@code <topic>-value}). */
  AVRO,
  /** The Avro record's fields as one JSON object (docs: the JSON form). */
  JSON,
  /** OCSF 1.3.0 Detection Finding (class 2004). */
  OCSF,
  /** Elastic Common Schema, {@code event.kind: alert}. */
  ECS;

  /** The name users type: {@code avro}, {@code json}, {@code ocsf}, {@code ecs}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the format needs a schema registry. */
  public boolean needsRegistry() {
    return this == AVRO;
  }

  /** Whether each value is one line of UTF-8 JSON (printable on a terminal or in a file). */
  public boolean isText() {
    return this != AVRO;
  }

  public static AlertFormat parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("unknown alert format '" + s + "' (" + names() + ")");
    }
  }

  /** {@code avro, json, ocsf, ecs}. */
  public static String names() {
    return Arrays.stream(values()).map(AlertFormat::cliName).collect(Collectors.joining(", "));
  }
}
