package dev.webshell.demo;

import java.util.Locale;

/** What the demo feeds the detector ({@code --input}). */
enum DemoInput {
  /** Defender {@code DeviceProcessEvents} rows as Confluent Avro ({@link DemoScript}). */
  DEFENDER,
  /** Sysmon process trees as JSON, read with {@code --input-format auto} ({@link SysmonScript}). */
  SYSMON;

  /** The option's value, lower case. */
  String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The input named {@code value}; IllegalArgumentException for another. */
  static DemoInput parse(String value) {
    for (DemoInput i : values()) {
      if (i.cliName().equals(value)) {
        return i;
      }
    }
    throw new IllegalArgumentException("--input must be defender or sysmon");
  }
}
