package dev.webshell.detector.event;

import java.util.Locale;

/** How input values are read: detected per record, or fixed per topic. */
public enum InputFormat {
  /** Byte 0 → Confluent Avro; '{' (after optional whitespace) → JSON, flat row or envelope. */
  AUTO,
  AVRO,
  JSON;

  public static InputFormat parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown input format '" + s + "' (auto, avro, json)");
    }
  }
}
