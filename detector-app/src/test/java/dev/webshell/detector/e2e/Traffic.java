package dev.webshell.detector.e2e;

import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.detector.offline.Scanner;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.schema.DeviceProcessEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Deterministic test traffic and what `scan` says about it. */
final class Traffic {
  static final long START_MICROS = Instant.parse("2026-11-02T10:00:00Z").toEpochMilli() * 1000;

  private Traffic() {}

  /** {@code count} events, one every 50 ms of event time, many intrusions. */
  static List<DeviceProcessEvent> events(long seed, int count, int devices) {
    TrafficGenerator gen = new TrafficGenerator(seed, devices, 0.004);
    List<DeviceProcessEvent> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(gen.next(START_MICROS + i * 50_000L));
    }
    return out;
  }

  /** The alert revisions `scan` prints for these events, in order. */
  static List<String> scan(List<DeviceProcessEvent> events) {
    StringBuilder lines = new StringBuilder();
    for (DeviceProcessEvent e : events) {
      lines.append(EventJson.toJson(e)).append('\n');
    }
    List<String> alerts = new ArrayList<>();
    try (Scanner scanner = new Scanner(RuleSpec.seed())) {
      scanner.scan(
          new ByteArrayInputStream(lines.toString().getBytes(StandardCharsets.UTF_8)),
          alerts::add,
          problem -> {
            throw new AssertionError(problem);
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return alerts;
  }

  /** Alert JSON lines grouped by deviceId, each device's in order. */
  static Map<String, List<String>> byDevice(List<String> alerts) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String a : alerts) {
      int i = a.indexOf("\"deviceId\":\"") + 12;
      String device = a.substring(i, a.indexOf('"', i));
      out.computeIfAbsent(device, k -> new ArrayList<>()).add(a);
    }
    return out;
  }
}
