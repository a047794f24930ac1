package dev.webshell.detector.event;

import java.util.Locale;

/**
 * How input values are read: detected per record, or fixed per topic. The Windows formats ({@link
 * #SYSMON}, {@link #ECS}, {@link #WINDOWS_SECURITY}) read every shape collectors write (flat,
 * Winlogbeat, ECS) and keep only their own process creations; other records of the family are
 * skipped and counted.
 */
public enum InputFormat {
  /** Byte 0 → Confluent Avro; '{' (after optional whitespace) → JSON, detected as {@link #JSON}. */
  AUTO,
  AVRO,
  /**
   * Any JSON format, detected per record by its first recognised field name: Defender (a Streaming
   * API envelope or a flat row) or a Windows / ECS process event.
   */
  JSON,
  /** Defender JSON only: a Streaming API envelope or a flat {@code DeviceProcessEvents} row. */
  DEFENDER,
  /** Sysmon Event ID 1, flat, Winlogbeat or ECS. */
  SYSMON,
  /** ECS process starts ({@code event.category: process}, {@code event.type: start}). */
  ECS,
  /** Windows Security event 4688, flat, Winlogbeat or ECS. */
  WINDOWS_SECURITY;

  /** The names accepted on the command line, in order. */
  public static final String NAMES = "auto, avro, json, defender, sysmon, ecs, windows-security";

  public static InputFormat parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown input format '" + s + "' (" + NAMES + ")");
    }
  }

  /** The name as written on the command line. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Whether values of this format are read as JSON. */
  public boolean isJson() {
    return this != AUTO && this != AVRO;
  }

  boolean isWindows() {
    return this == SYSMON || this == ECS || this == WINDOWS_SECURITY;
  }
}
