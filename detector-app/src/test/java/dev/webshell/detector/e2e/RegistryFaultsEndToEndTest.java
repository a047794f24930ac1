package dev.webshell.detector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.registry.ConfluentAvroDeserializer;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.FaultProxy;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.serde.AlertJson;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.schema.DeviceProcessEvent;
import dev.webshell.schema.WebShellAlert;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import dev.webshell.testkit.registry.ApicurioRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector on a real broker, reading Avro events whose writer schemas it fetches from the real
 * schema registry (Apicurio) through a proxy that injects the faults of a bad minute: 503s, a reset
 * connection, a 429 with {@code Retry-After}, an HTML page with status 200, and then an outage
 * longer than the client's retries. No good event is ever dead-lettered, and once the registry
 * answers again the alerts equal {@code scan}'s over the same events, revision for revision.
 *
 * <p>Each of four segments of the traffic is written with a new writer schema (one more optional
 * field each), so the detector must fetch a schema it has not seen at the start of each segment:
 * that is when the faults strike.
 */
class RegistryFaultsEndToEndTest {
  private static final String TOPIC = "rf-events";
  private static final String ALERTS = "rf-alerts";
  private static final String APP = "e2e-registry-faults";
  @AutoClose private static EmbeddedKafkaCluster kafka;
  @AutoClose private static ApicurioRegistry apicurio;

  @TempDir Path stateDir;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaCluster.start(1);
    apicurio = ApicurioRegistry.start();
  }

  /** DeviceProcessEvent with {@code extra} more optional string fields: a newer producer. */
  private static Schema version(int extra) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : DeviceProcessEvent.getClassSchema().getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    for (int i = 1; i <= extra; i++) {
      fields.add(
          new Schema.Field(
              "Extra" + i,
              Schema.createUnion(
                  Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
              null,
              Schema.Field.NULL_DEFAULT_VALUE));
    }
    return Schema.createRecord("DeviceProcessEvent", null, "dev.webshell.schema", false, fields);
  }

  private static GenericRecord asVersion(Schema schema, DeviceProcessEvent e) {
    GenericRecord r = new GenericData.Record(schema);
    for (Schema.Field f : DeviceProcessEvent.getClassSchema().getFields()) {
      Object v = e.get(f.pos());
      if (v instanceof Instant i) {
        v = i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
      }
      r.put(f.name(), v);
    }
    return r;
  }

  private static void produce(
      SchemaRegistryClient direct, int extraFields, List<DeviceProcessEvent> events) {
    ConfluentAvroSerializer<GenericRecord> avro = ConfluentAvroSerializer.forValues(direct);
    Schema schema = version(extraFields);
    List<Map.Entry<String, byte[]>> records = new ArrayList<>();
    for (DeviceProcessEvent e : events) {
      records.add(
          new AbstractMap.SimpleEntry<>(
              e.getDeviceId(), avro.serialize(TOPIC, asVersion(schema, e))));
    }
    Topics.produce(kafka.clientConfig(), TOPIC, records);
  }

  private DetectorService service(RegistryConfig registry, Path state) {
    Map<String, Object> client = new HashMap<>(kafka.clientConfig());
    // a stopped instance's partitions move to its replacement within seconds, not 45
    client.put("consumer.session.timeout.ms", 6000);
    return new DetectorService(
        DetectorService.Settings.builder(client)
            .inputTopics(List.of(TOPIC))
            .outputTopic(ALERTS)
            .deadLetterTopic(ALERTS + ".dead-letters")
            .applicationId(APP)
            .stateDir(state)
            .inputFormat(InputFormat.AVRO)
            .alertFormat(AlertFormat.AVRO)
            .registry(registry)
            .rule(RuleSpec.seed())
            .metricsPort(0) // metrics and health on a free port
            .createTopics(true)
            .partitions(3)
            .replicationFactor((short) 1)
            .build());
  }

  @Test
  void shouldDeadLetterNoGoodEventThroughRegistryFaultsAndEndWithScansAlerts() throws Exception {
    kafka.createTopic(TOPIC, 3, (short) 1);
    List<DeviceProcessEvent> events = Traffic.events(16, 4000, 120);
    List<String> expected = Traffic.scan(events);
    int q = events.size() / 4;

    try (SchemaRegistryClient direct =
            SchemaRegistryClients.create(RegistryConfig.of(apicurio.ccompatUrl()));
        FaultProxy proxy = FaultProxy.start(apicurio.baseUrl())) {
      // Confluent's three retries; shorter waits than its defaults so the test is quick, but a
      // longest wait above the 429's Retry-After of 1 s
      RegistryConfig viaProxy =
          RegistryConfig.builder(proxy.url() + ApicurioRegistry.CCOMPAT_PATH)
              .retries(new RegistryConfig.Retries(3, Duration.ofMillis(100), Duration.ofSeconds(2)))
              .requestTimeout(Duration.ofSeconds(5))
              .build();
      String faulted = "/schemas/ids/";

      produce(direct, 0, events.subList(0, q));
      proxy.next(faulted, FaultProxy.status(503), FaultProxy.reset());
      DetectorService.Running running = service(viaProxy, stateDir).start();
      try {
        // segments 1-3: faults the retries absorb; the detector keeps running
        awaitCaughtUp(q, Duration.ofSeconds(90));
        proxy.next(faulted, FaultProxy.tooManyRequests(1), FaultProxy.html200());
        produce(direct, 1, events.subList(q, 2 * q));
        awaitCaughtUp(2 * q, Duration.ofSeconds(90));
        proxy.next(faulted, FaultProxy.reset(), FaultProxy.status(504), FaultProxy.status(502));
        produce(direct, 2, events.subList(2 * q, 3 * q));
        awaitCaughtUp(3 * q, Duration.ofSeconds(90));
        assertEquals(0, proxy.pending(), "every queued fault was met: " + proxy.log());
        assertEquals(KafkaStreams.State.RUNNING, running.streams().state());
        assertEquals(200, health(running.opsPort()), "ready through faults the retries absorb");
        assertEquals(
            List.of(),
            Topics.readCommittedWithHeaders(
                kafka.clientConfig(), ALERTS + ".dead-letters", Duration.ofSeconds(2)));

        // segment 4: the registry fails for longer than the client retries
        proxy.always(faulted, FaultProxy.status(503));
        int injectedBefore = proxy.injected();
        produce(direct, 3, events.subList(3 * q, events.size()));
        DetectorService.Running current = running;
        CompletableFuture<Throwable> stopped =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return current.awaitFailure();
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                });
        // the partition waits: not ready, counted, never stopped, nothing dead-lettered
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean waiting = false;
        while (System.nanoTime() < deadline && !waiting) {
          Thread.sleep(200);
          waiting =
              proxy.injected() > injectedBefore + 4
                  && health(running.opsPort()) == 503
                  && registryFailures(running) > 0;
        }
        assertTrue(waiting, "the detector waited, not ready: " + proxy.log());
        Thread.sleep(3000); // the outage goes on a while
        assertFalse(stopped.isDone(), "the detector never stops for the registry: " + proxy.log());
        assertEquals(
            List.of(),
            Topics.readCommittedWithHeaders(
                kafka.clientConfig(), ALERTS + ".dead-letters", Duration.ofSeconds(2)),
            "no dead letter during the outage");
        proxy.heal();
        awaitCaughtUp(events.size(), Duration.ofSeconds(120));

        ConfluentAvroDeserializer<WebShellAlert> alerts =
            ConfluentAvroDeserializer.specific(direct, WebShellAlert.class);
        List<String> actual =
            Topics.readCommitted(
                kafka.clientConfig(),
                ALERTS,
                expected.size(),
                Duration.ofSeconds(60),
                b -> AlertJson.toJson(alerts.deserialize(ALERTS, b)));
        assertEquals(
            List.of(),
            Topics.readCommittedWithHeaders(
                kafka.clientConfig(), ALERTS + ".dead-letters", Duration.ofSeconds(2)),
            "zero good events dead-lettered");
        assertEquals(expected.size(), actual.size(), "revisions: none lost, none duplicated");
        assertEquals(Traffic.linesByDevice(expected), Traffic.linesByDevice(actual));
        System.out.printf(
            "registry faults e2e: %d events, %d alert revisions, %d faults injected, %d requests"
                + " forwarded%n",
            events.size(), actual.size(), proxy.injected(), proxy.forwarded());
      } finally {
        running.close();
      }
    }
  }

  private static double registryFailures(DetectorService.Running running) {
    var c =
        running
            .meters()
            .find("detector.retryable.failures")
            .tag("reason", "registry-unavailable")
            .counter();
    return c == null ? 0 : c.count();
  }

  /** GET /health/ready's status, or -1 when the endpoint does not answer. */
  private static int health(int port) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  /** Waits until the detector's committed offsets on the input add up to {@code records}. */
  private static void awaitCaughtUp(long records, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    long committed = -1;
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < 3; p++) {
        partitions.add(new TopicPartition(TOPIC, p));
      }
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      while (System.nanoTime() < deadline) {
        long end = 0;
        for (var info : admin.listOffsets(latest).all().get().values()) {
          end += info.offset();
        }
        Map<TopicPartition, OffsetAndMetadata> offsets =
            admin.listConsumerGroupOffsets(APP).partitionsToOffsetAndMetadata().get();
        committed = 0;
        for (OffsetAndMetadata o : offsets.values()) {
          committed += o == null ? 0 : o.offset();
        }
        // transaction markers take offsets too: the end is at least the records
        if (end >= records && committed >= end) {
          return;
        }
        Thread.sleep(250);
      }
    }
    throw new AssertionError(
        "the detector committed " + committed + " offsets, expected the end of " + records);
  }
}
