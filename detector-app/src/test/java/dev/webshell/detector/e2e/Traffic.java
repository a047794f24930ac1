package dev.webshell.detector.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.detector.offline.Scanner;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.schema.DeviceProcessEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Test traffic for the end-to-end tests: valid JSON events from the generator (deterministic), the
 * alerts {@link Scanner} expects for them, and reading/writing topics on a real broker.
 */
public final class Traffic {
  public static final ObjectMapper JSON = new ObjectMapper();

  /** 2026-11-02T00:00:00Z in microseconds. */
  public static final long START_MICROS = 1_793_577_600_000_000L;

  private Traffic() {}

  /** One input record: its key (DeviceId) and JSON value. */
  public record Event(String deviceId, byte[] json) {
    public ProducerRecord<byte[], byte[]> record(String topic) {
      return new ProducerRecord<>(topic, deviceId.getBytes(StandardCharsets.UTF_8), json);
    }
  }

  /**
   * {@code n} valid events on {@code devices} devices, one second apart, with an intrusion or
   * near-miss starting about every {@code 1/scenariosPerEvent} events.
   */
  public static List<Event> events(long seed, int n, int devices, double scenariosPerEvent) {
    TrafficGenerator g = new TrafficGenerator(seed, devices, scenariosPerEvent);
    List<Event> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      DeviceProcessEvent e = g.next(START_MICROS + i * 1_000_000L);
      out.add(
          new Event(
              e.getDeviceId().toString(), EventJson.toJson(e).getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  /** What {@code scan} (the topology over the events in order) emits, per device. */
  public static Map<String, List<JsonNode>> expectedAlerts(List<byte[]> jsonLines) {
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    for (byte[] line : jsonLines) {
      in.writeBytes(line);
      in.write('\n');
    }
    List<byte[]> alerts = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    try (Scanner scanner = new Scanner(RuleSpec.seed())) {
      scanner.scan(
          new ByteArrayInputStream(in.toByteArray()),
          a -> alerts.add(a.getBytes(StandardCharsets.UTF_8)),
          problems::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("not all lines are valid events: " + problems);
    }
    return byDevice(alerts);
  }

  /** Alert JSON values grouped by {@code deviceId}, in stream order. */
  public static Map<String, List<JsonNode>> byDevice(List<byte[]> alertValues) {
    Map<String, List<JsonNode>> out = new TreeMap<>();
    for (byte[] v : alertValues) {
      try {
        JsonNode a = JSON.readTree(v);
        out.computeIfAbsent(a.get("deviceId").asText(), k -> new ArrayList<>()).add(a);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  public static int count(Map<String, List<JsonNode>> alerts) {
    return alerts.values().stream().mapToInt(List::size).sum();
  }

  /** Produces the records (acks=all, idempotent) and waits until all are written. */
  public static List<RecordMetadata> produce(
      Map<String, Object> client, List<ProducerRecord<byte[], byte[]>> records) {
    Map<String, Object> c = new HashMap<>(client);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
    c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (ProducerRecord<byte[], byte[]> r : records) {
        sent.add(p.send(r));
      }
      List<RecordMetadata> written = new ArrayList<>(sent.size());
      for (Future<RecordMetadata> f : sent) {
        written.add(f.get());
      }
      return written;
    } catch (ExecutionException e) {
      throw new IllegalStateException("produce failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static List<ProducerRecord<byte[], byte[]>> records(String topic, List<Event> events) {
    return events.stream().map(e -> e.record(topic)).collect(Collectors.toList());
  }

  /** {@link #readCommitted}'s record values, each parsed as JSON (alerts in the JSON format). */
  public static List<JsonNode> committedJson(
      Map<String, Object> client, String topic, int expected, Duration timeout, Duration quiet) {
    List<JsonNode> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        readCommitted(client, topic, expected, timeout, quiet)) {
      try {
        out.add(JSON.readTree(r.value()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /**
   * Reads a topic from the beginning with {@code read_committed} until at least {@code expected}
   * records arrived (or {@code timeout} passed), then {@code quiet} longer to catch extra ones.
   */
  public static List<ConsumerRecord<byte[], byte[]>> readCommitted(
      Map<String, Object> client, String topic, int expected, Duration timeout, Duration quiet) {
    Map<String, Object> c = new HashMap<>(client);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.nanoTime() + timeout.toNanos();
      long quietUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, quietUntil)) {
        consumer.poll(Duration.ofMillis(250)).forEach(out::add);
        if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.nanoTime() + quiet.toNanos();
        }
      }
    }
    return out;
  }

  public static List<byte[]> values(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(ConsumerRecord::value).toList();
  }

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
    return scanLines(events.stream().map(EventJson::toJson).toList());
  }

  /**
   * The alert revisions `scan` prints for these JSON lines, in order; every line must be readable
   * (records of other kinds are skipped, not problems).
   */
  static List<String> scanLines(List<String> lines) {
    byte[] in = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    List<String> alerts = new ArrayList<>();
    try (Scanner scanner = new Scanner(RuleSpec.seed())) {
      scanner.scan(
          new ByteArrayInputStream(in),
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
  static Map<String, List<String>> linesByDevice(List<String> alerts) {
    Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    for (String a : alerts) {
      int i = a.indexOf("\"deviceId\":\"") + 12;
      String device = a.substring(i, a.indexOf('"', i));
      out.computeIfAbsent(device, k -> new ArrayList<>()).add(a);
    }
    return out;
  }
}
