package dev.webshell.detector.service;

import java.util.Locale;

/** Kafka Streams' processing guarantees the detector supports, by their config value. */
public enum ProcessingGuarantee {
  EXACTLY_ONCE_V2("exactly_once_v2"),
  AT_LEAST_ONCE("at_least_once");

  private final String config;

  ProcessingGuarantee(String config) {
    this.config = config;
  }

  /** The value of {@code processing.guarantee}. */
  public String config() {
    return config;
  }

  public static ProcessingGuarantee parse(String text) {
    for (ProcessingGuarantee g : values()) {
      if (g.config.equals(text.trim().toLowerCase(Locale.ROOT))) {
        return g;
      }
    }
    throw new IllegalArgumentException(
        "--processing-guarantee must be exactly_once_v2 or at_least_once");
  }

  @Override
  public String toString() {
    return config;
  }
}
