package dev.webshell.detector.event;

import org.apache.avro.Schema;

/**
 * How the {@code Timestamp} a writer schema declares becomes the detector's microseconds since the
 * epoch. Producers other than the detector's own schema write it in other units: Kafka Connect,
 * ksqlDB and Flink write {@code timestamp-millis}; reading their values as microseconds would put
 * every event 1000 times too close to 1970. A unit the detector cannot be sure of is refused, per
 * writer schema, with a reason naming the type: a {@code long} without a logical type (micro- or
 * milliseconds?), a {@code local-timestamp-*} (no time zone), a string, an int.
 */
enum WriterTimestamp {
  /** {@code timestamp-micros}: as is. */
  MICROS,
  /** {@code timestamp-millis}: times 1000. */
  MILLIS,
  /** {@code timestamp-nanos}: divided by 1000, rounded down (the seventh fractional digit cut). */
  NANOS;

  /**
   * The value in microseconds.
   *
   * @throws ArithmeticException when it does not fit in a long
   */
  long toMicros(long value) {
    return switch (this) {
      case MICROS -> value;
      case MILLIS -> Math.multiplyExact(value, 1000L);
      case NANOS -> Math.floorDiv(value, 1000L);
    };
  }

  /**
   * The unit of {@code writer}'s {@code Timestamp} field; {@link #MICROS} when it has none (the
   * record then lacks its Timestamp, which the decoder reports).
   *
   * @throws IllegalArgumentException with the reason when the field cannot be read as an instant
   */
  static WriterTimestamp of(Schema writer) {
    Schema.Field field =
        writer.getType() == Schema.Type.RECORD ? writer.getField("Timestamp") : null;
    if (field == null) {
      return MICROS;
    }
    Schema type = field.schema();
    WriterTimestamp unit = MICROS;
    for (Schema branch :
        type.getType() == Schema.Type.UNION ? type.getTypes() : java.util.List.of(type)) {
      if (branch.getType() != Schema.Type.NULL) {
        unit = ofBranch(branch);
      }
    }
    return unit;
  }

  private static WriterTimestamp ofBranch(Schema t) {
    String logical = t.getProp("logicalType");
    if (t.getType() != Schema.Type.LONG) {
      throw refused(
          "of type "
              + t.getType().getName()
              + (logical == null ? "" : " with logicalType " + logical));
    }
    if (logical == null) {
      throw refused("a long without a logicalType: its unit (micro- or milliseconds) is unknown");
    }
    return switch (logical) {
      case "timestamp-micros" -> MICROS;
      case "timestamp-millis" -> MILLIS;
      case "timestamp-nanos" -> NANOS;
      default ->
          throw refused(
              "a long with logicalType "
                  + logical
                  + (logical.startsWith("local-timestamp-")
                      ? ": a local date-time without a time zone"
                      : ""));
    };
  }

  private static IllegalArgumentException refused(String what) {
    return new IllegalArgumentException(
        "its Timestamp is "
            + what
            + "; the detector reads a long with logicalType timestamp-micros, timestamp-millis or"
            + " timestamp-nanos");
  }
}
