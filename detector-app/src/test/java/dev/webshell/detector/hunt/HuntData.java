package dev.webshell.detector.hunt;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.generator.ProcessTreeTraffic;
import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.detector.generator.WindowsEventJson;
import dev.webshell.detector.offline.Scanner;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.schema.DeviceProcessEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Deterministic traffic for the hunt tests, as flat lines, Kafka records and scan results. */
final class HuntData {
  static final Instant START = Instant.parse("2021-04-14T00:00:00Z");
  static final long STEP_MICROS = 150_000_000L; // 2.5 minutes of event time per event
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One generated event: its DeviceId, event time and flat JSON row. */
  record Event(String deviceId, long micros, String json) {}

  private HuntData() {}

  static List<Event> events(long seed, int count) {
    TrafficGenerator gen = new TrafficGenerator(seed, 40, 0.01);
    List<Event> out = new ArrayList<>(count);
    long t = Timestamps.toMicros(START);
    for (int i = 0; i < count; i++) {
      long micros = t + i * STEP_MICROS;
      DeviceProcessEvent e = gen.next(micros);
      out.add(new Event(e.getDeviceId(), micros, EventJson.toJson(e)));
    }
    return out;
  }

  /** What {@code scan} prints for these events as a flat file, in file order. */
  static List<String> scan(RuleSpec rule, List<Event> events) {
    return scanLines(rule, lines(events));
  }

  /** Sysmon records of web servers' process trees, one a second from {@link #START}. */
  static List<Event> sysmon(long seed, int count) {
    ProcessTreeTraffic traffic = new ProcessTreeTraffic(seed, 10, 0.02, 0.05);
    List<Event> out = new ArrayList<>(count);
    long start = START.getEpochSecond() * 1_000_000L;
    for (int i = 0; i < count; i++) {
      ProcessTreeTraffic.Record r = traffic.next(start + i * 1_000_000L);
      out.add(
          new Event(
              r.host(), r.utcMicros(), WindowsEventJson.toJson(r, WindowsEventJson.Shape.SYSMON)));
    }
    return out;
  }

  /** The events as a file of lines. */
  static String lines(List<Event> events) {
    StringBuilder file = new StringBuilder();
    for (Event e : events) {
      file.append(e.json()).append('\n');
    }
    return file.toString();
  }

  static List<String> scanLines(RuleSpec rule, String file) {
    List<String> alerts = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    try (Scanner scanner = new Scanner(rule)) {
      scanner.scan(
          new ByteArrayInputStream(file.getBytes(StandardCharsets.UTF_8)),
          alerts::add,
          problems::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!problems.isEmpty()) {
      throw new AssertionError("the flat file should be readable: " + problems);
    }
    return alerts;
  }

  /** Alert JSON lines grouped by deviceId, each device's lines in their original order. */
  static Map<String, List<String>> byDevice(List<String> alerts) {
    Map<String, List<String>> out = new TreeMap<>();
    for (String a : alerts) {
      try {
        String device = JSON.readTree(a).get("deviceId").asText();
        out.computeIfAbsent(device, d -> new ArrayList<>()).add(a);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  static KafkaProducer<String, String> producer(Map<String, Object> clientConfig) {
    Map<String, Object> p = new HashMap<>(clientConfig);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  /**
   * Events keyed by DeviceId (a Windows host's name; the default partitioner keeps each device on
   * one partition), record timestamps = event times.
   */
  static void produceFlat(Map<String, Object> clientConfig, String topic, List<Event> events)
      throws Exception {
    try (KafkaProducer<String, String> producer = producer(clientConfig)) {
      List<Future<?>> sent = new ArrayList<>();
      for (Event e : events) {
        sent.add(
            producer.send(
                new ProducerRecord<>(topic, null, e.micros() / 1000, e.deviceId(), e.json())));
      }
      for (Future<?> f : sent) {
        f.get();
      }
    }
  }

  /** A Streaming API record of category DeviceProcessEvents holding one event. */
  static String envelopeRecord(Event e) {
    return "{\"time\":\""
        + Timestamps.format(e.micros())
        + "\",\"tenantId\":\"tenant-1\",\"operationName\":\"Publish\","
        + "\"category\":\"AdvancedHunting-DeviceProcessEvents\",\"properties\":"
        + e.json()
        + "}";
  }

  /** What the envelope topic holds, and how many records of other categories and bad ones. */
  record Envelopes(
      Map<Integer, List<String>> byPartition,
      Map<Integer, List<Long>> timestamps,
      Map<String, Long> skipped,
      int bad) {}

  /**
   * Streaming API messages of 1–20 records each: a device's events all go to one partition (as a
   * per-device order needs), records of other categories are mixed in, and now and then a
   * DeviceProcessEvents record without a DeviceId (a dead letter; its neighbours are read).
   */
  static Envelopes envelopes(List<Event> events, int partitions, long seed) {
    Random random = new Random(seed);
    Map<Integer, List<Event>> perPartition = new LinkedHashMap<>();
    for (Event e : events) {
      perPartition
          .computeIfAbsent(
              Math.floorMod(e.deviceId().hashCode(), partitions), p -> new ArrayList<>())
          .add(e);
    }
    Map<Integer, List<String>> messages = new TreeMap<>();
    Map<Integer, List<Long>> stamps = new TreeMap<>();
    Map<String, Long> skipped = new TreeMap<>();
    int bad = 0;
    String[] others = {
      "AdvancedHunting-DeviceNetworkEvents",
      "AdvancedHunting-DeviceFileEvents",
      "AdvancedHunting-DeviceLogonEvents"
    };
    for (Map.Entry<Integer, List<Event>> part : perPartition.entrySet()) {
      List<Event> list = part.getValue();
      int i = 0;
      while (i < list.size()) {
        int size = 1 + random.nextInt(20);
        StringBuilder b = new StringBuilder("{\"records\":[");
        int records = 0;
        long last = 0;
        for (int k = 0; k < size && i < list.size(); k++) {
          if (records > 0) {
            b.append(',');
          }
          int roll = random.nextInt(100);
          if (roll < 25) {
            String category = others[random.nextInt(others.length)];
            b.append("{\"time\":\"")
                .append(Timestamps.format(list.get(i).micros()))
                .append(
                    "\",\"tenantId\":\"tenant-1\",\"operationName\":\"Publish\",\"category\":\"")
                .append(category)
                .append("\",\"properties\":{\"DeviceId\":\"")
                .append(list.get(i).deviceId())
                .append("\",\"RemoteIP\":\"10.0.0.")
                .append(random.nextInt(255))
                .append("\",\"RemotePort\":443}}");
            skipped.merge(category, 1L, Long::sum);
          } else if (roll < 27) {
            b.append(
                "{\"time\":\"2021-04-14T00:00:00.0000000Z\",\"tenantId\":\"tenant-1\","
                    + "\"category\":\"AdvancedHunting-DeviceProcessEvents\",\"properties\":"
                    + "{\"Timestamp\":\"2021-04-14T00:00:00.0000000Z\",\"FileName\":\"cmd.exe\"}}");
            bad++;
          } else {
            Event e = list.get(i++);
            b.append(envelopeRecord(e));
            last = e.micros();
          }
          records++;
        }
        b.append("]}");
        if (last == 0) {
          last = list.get(Math.min(i, list.size() - 1)).micros();
        }
        messages.computeIfAbsent(part.getKey(), p -> new ArrayList<>()).add(b.toString());
        stamps.computeIfAbsent(part.getKey(), p -> new ArrayList<>()).add(last / 1000);
      }
    }
    return new Envelopes(messages, stamps, skipped, bad);
  }

  static void produceEnvelopes(Map<String, Object> clientConfig, String topic, Envelopes env)
      throws Exception {
    try (KafkaProducer<String, String> producer = producer(clientConfig)) {
      List<Future<?>> sent = new ArrayList<>();
      for (Map.Entry<Integer, List<String>> part : env.byPartition().entrySet()) {
        List<String> msgs = part.getValue();
        List<Long> ts = env.timestamps().get(part.getKey());
        for (int i = 0; i < msgs.size(); i++) {
          sent.add(
              producer.send(
                  new ProducerRecord<>(topic, part.getKey(), ts.get(i), null, msgs.get(i))));
        }
      }
      for (Future<?> f : sent) {
        f.get();
      }
    }
  }
}
