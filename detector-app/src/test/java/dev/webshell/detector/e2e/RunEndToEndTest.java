package dev.webshell.detector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.registry.ConfluentAvroDeserializer;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.serde.AlertJson;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.detector.service.StartupException;
import dev.webshell.detector.siem.EcsAlert;
import dev.webshell.detector.topology.Ev;
import dev.webshell.detector.topology.StreamsSettings;
import dev.webshell.schema.DeviceProcessEvent;
import dev.webshell.schema.WebShellAlert;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import dev.webshell.testkit.registry.ApicurioRegistry;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service on a real broker (in-process KRaft) and the real schema registry (Apicurio): what
 * {@code run} writes equals what {@code scan} prints for the same events, device by device.
 */
class RunEndToEndTest {
  @AutoClose static EmbeddedKafkaCluster kafka;
  @AutoClose static ApicurioRegistry apicurio;
  @TempDir Path stateDir;
  private final StringWriter log = new StringWriter();

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaCluster.start(1);
    apicurio = ApicurioRegistry.start();
  }

  private DetectorService service(
      String input,
      String output,
      String appId,
      Path state,
      InputFormat format,
      String alerts,
      RegistryConfig registry) {
    DetectorService.Settings settings =
        DetectorService.Settings.builder(kafka.clientConfig())
            .inputTopics(List.of(input))
            .outputTopic(output)
            .deadLetterTopic(output + ".dead-letters")
            .applicationId(appId)
            .stateDir(state)
            .inputFormat(format)
            .alertFormat(AlertFormat.parse(alerts))
            .registry(registry)
            .rule(RuleSpec.seed())
            .metricsPort(-1)
            .createTopics(true)
            .partitions(3)
            .replicationFactor((short) 1)
            .build();
    return new DetectorService(settings);
  }

  private static List<Map.Entry<String, byte[]>> json(List<DeviceProcessEvent> events) {
    return events.stream()
        .<Map.Entry<String, byte[]>>map(
            e ->
                new AbstractMap.SimpleEntry<>(
                    e.getDeviceId(), EventJson.toJson(e).getBytes(StandardCharsets.UTF_8)))
        .toList();
  }

  private static final Function<byte[], String> UTF8 = b -> new String(b, StandardCharsets.UTF_8);

  @Test
  void shouldWriteExactlyTheRevisionsScanPrintsForJsonEventsKeyedByDeviceOnThreePartitions() {
    List<DeviceProcessEvent> events = Traffic.events(11, 4000, 300);
    List<String> expected = Traffic.scan(events);
    kafka.createTopic("json-events", 3, (short) 1);
    Topics.produce(kafka.clientConfig(), "json-events", json(events));

    try (DetectorService.Running running =
        service("json-events", "json-alerts", "e2e-json", stateDir, InputFormat.AUTO, "json", null)
            .start()) {
      List<String> actual =
          Topics.readCommitted(
              kafka.clientConfig(), "json-alerts", expected.size(), Duration.ofSeconds(90), UTF8);
      assertEquals(
          expected.size(), actual.size(), "revisions (none missing, none duplicated)\n" + log);
      assertEquals(Traffic.linesByDevice(expected), Traffic.linesByDevice(actual));
      assertEquals(
          StreamsSettings.defaultStreamThreads(),
          running.streams().metadataForLocalThreads().size(),
          "one stream thread per CPU unless num.stream.threads is set");
    }
  }

  @Test
  void shouldWriteTheEcsFormOfExactlyTheRevisionsScanPrintsWithAlertFormatEcs() {
    List<DeviceProcessEvent> events = Traffic.events(13, 2000, 150);
    List<String> expected =
        Traffic.scan(events).stream()
            .map(
                json ->
                    UTF8.apply(
                        EcsAlert.toBytes(
                            AlertJson.fromJson(json.getBytes(StandardCharsets.UTF_8)))))
            .toList();
    kafka.createTopic("ecs-events", 3, (short) 1);
    Topics.produce(kafka.clientConfig(), "ecs-events", json(events));
    try (DetectorService.Running running =
        service("ecs-events", "ecs-alerts", "e2e-ecs", stateDir, InputFormat.JSON, "ecs", null)
            .start()) {
      List<String> actual =
          Topics.readCommitted(
              kafka.clientConfig(), "ecs-alerts", expected.size(), Duration.ofSeconds(90), UTF8);
      assertEquals(expected.size(), actual.size(), "revisions\n" + log);
      assertEquals(byHost(expected), byHost(actual));
    }
  }

  /** ECS documents by {@code host.id}, in topic order. */
  private static Map<String, List<String>> byHost(List<String> docs) {
    Map<String, List<String>> out = new java.util.TreeMap<>();
    for (String d : docs) {
      try {
        String host =
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(d).at("/host/id").asText();
        out.computeIfAbsent(host, k -> new java.util.ArrayList<>()).add(d);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return out;
  }

  @Test
  void shouldReadAvroThroughTheRegistryAndWriteAvroAlertsUnderTopicValue() throws Exception {
    List<DeviceProcessEvent> events = Traffic.events(12, 3000, 200);
    List<String> expected = Traffic.scan(events);
    RegistryConfig registry = RegistryConfig.of(apicurio.ccompatUrl());
    kafka.createTopic("avro-events", 3, (short) 1);
    try (SchemaRegistryClient client = SchemaRegistryClients.create(registry)) {
      ConfluentAvroSerializer<DeviceProcessEvent> avro = ConfluentAvroSerializer.forValues(client);
      Topics.produce(
          kafka.clientConfig(),
          "avro-events",
          events.stream()
              .<Map.Entry<String, byte[]>>map(
                  e ->
                      new AbstractMap.SimpleEntry<>(
                          e.getDeviceId(), avro.serialize("avro-events", e)))
              .toList());
      ConfluentAvroDeserializer<WebShellAlert> alerts =
          ConfluentAvroDeserializer.specific(client, WebShellAlert.class);
      try (DetectorService.Running running =
          service(
                  "avro-events",
                  "avro-alerts",
                  "e2e-avro",
                  stateDir,
                  InputFormat.AVRO,
                  "avro",
                  registry)
              .start()) {
        List<String> actual =
            Topics.readCommitted(
                kafka.clientConfig(),
                "avro-alerts",
                expected.size(),
                Duration.ofSeconds(90),
                b -> AlertJson.toJson(alerts.deserialize("avro-alerts", b)));
        List<String> deadLetters =
            Topics.readCommittedWithHeaders(
                kafka.clientConfig(), "avro-alerts.dead-letters", Duration.ofSeconds(2));
        assertEquals(List.of(), deadLetters, "valid events are never dead letters");
        assertEquals(expected.size(), actual.size(), "revisions\n" + log);
        assertEquals(Traffic.linesByDevice(expected), Traffic.linesByDevice(actual));
      }
      // the alert schema is registered under <topic>-value
      assertEquals(WebShellAlert.getClassSchema(), client.latest("avro-alerts-value").schema());
    }
  }

  @Test
  void shouldFailFastNamingAMissingInputTopic() {
    DetectorService d =
        service(
            "no-such-events", "x-alerts", "e2e-missing", stateDir, InputFormat.JSON, "json", null);
    StartupException e = assertThrows(StartupException.class, d::start);
    assertEquals(
        "input topic 'no-such-events' does not exist on " + kafka.bootstrapServers(),
        e.getMessage());
  }

  @Test
  void shouldSayWhichOutputTopicIsMissingUnlessAskedToCreateIt() {
    kafka.createTopic("present-events", 1, (short) 1);
    DetectorService.Settings settings =
        DetectorService.Settings.builder(kafka.clientConfig())
            .inputTopics(List.of("present-events"))
            .outputTopic("missing-alerts")
            .deadLetterTopic("missing-alerts.dlq")
            .applicationId("e2e-missing-out")
            .stateDir(stateDir)
            .inputFormat(InputFormat.JSON)
            .alertFormat(AlertFormat.JSON)
            .metricsPort(-1)
            .partitions(1)
            .replicationFactor((short) 1)
            .build();
    StartupException e =
        assertThrows(StartupException.class, () -> new DetectorService(settings).start());
    assertEquals(
        "topic 'missing-alerts' does not exist on "
            + kafka.bootstrapServers()
            + ": create it, or pass --create-topics",
        e.getMessage());
  }

  @Test
  void shouldResumeAfterARestartWithNoDuplicatedAndNoMissingRevision(@TempDir Path other) {
    List<DeviceProcessEvent> events = Traffic.events(13, 4000, 150);
    List<String> expected = Traffic.scan(events);
    int half = events.size() / 2;
    List<String> expectedFirstHalf = Traffic.scan(events.subList(0, half));
    kafka.createTopic("restart-events", 3, (short) 1);
    Topics.produce(kafka.clientConfig(), "restart-events", json(events.subList(0, half)));

    try (DetectorService.Running running =
        service(
                "restart-events",
                "restart-alerts",
                "e2e-restart",
                stateDir,
                InputFormat.JSON,
                "json",
                null)
            .start()) {
      List<String> first =
          Topics.readCommitted(
              kafka.clientConfig(),
              "restart-alerts",
              expectedFirstHalf.size(),
              Duration.ofSeconds(90),
              UTF8);
      assertEquals(expectedFirstHalf.size(), first.size(), log.toString());
    }
    // second half while the detector is down; it comes back on the same state directory
    Topics.produce(
        kafka.clientConfig(), "restart-events", json(events.subList(half, 3 * half / 2)));
    try (DetectorService.Running running =
        service(
                "restart-events",
                "restart-alerts",
                "e2e-restart",
                stateDir,
                InputFormat.JSON,
                "json",
                null)
            .start()) {
      Topics.readCommitted(
          kafka.clientConfig(),
          "restart-alerts",
          Traffic.scan(events.subList(0, 3 * half / 2)).size(),
          Duration.ofSeconds(90),
          UTF8);
    }
    // and again on an empty state directory: the windows are restored from the changelog
    Topics.produce(
        kafka.clientConfig(), "restart-events", json(events.subList(3 * half / 2, events.size())));
    try (DetectorService.Running running =
        service(
                "restart-events",
                "restart-alerts",
                "e2e-restart",
                other,
                InputFormat.JSON,
                "json",
                null)
            .start()) {
      List<String> all =
          Topics.readCommitted(
              kafka.clientConfig(),
              "restart-alerts",
              expected.size(),
              Duration.ofSeconds(90),
              UTF8);
      assertEquals(expected.size(), all.size(), "none lost, none duplicated\n" + log);
      assertEquals(Traffic.linesByDevice(expected), Traffic.linesByDevice(all));
    }
  }

  /**
   * The task's stream time is written behind (once per commit): a detector restarted on an empty
   * state directory restores it from the changelog and drops the same late match.
   */
  @Test
  void shouldRestoreStreamTimeFromTheChangelogSoALateMatchIsStillDroppedAfterARestart(
      @TempDir Path other) {
    kafka.createTopic("late-events", 1, (short) 1);
    Topics.produce(
        kafka.clientConfig(),
        "late-events",
        List.of(
            record(Ev.at(Duration.ofDays(10)).device("benign").file("notepad.exe")),
            record(Ev.at(Duration.ofDays(10)).device("first"))));
    try (DetectorService.Running running =
        service("late-events", "late-alerts", "e2e-late", stateDir, InputFormat.JSON, "json", null)
            .start()) {
      assertEquals(
          1,
          Topics.readCommitted(kafka.clientConfig(), "late-alerts", 1, Duration.ofSeconds(90), UTF8)
              .size());
    }
    // stream time is day 10: day 3 is on the lookback boundary (dropped), a microsecond later not
    Topics.produce(
        kafka.clientConfig(),
        "late-events",
        List.of(
            record(Ev.at(Duration.ofDays(3)).device("late")),
            record(Ev.at(Duration.ofDays(3).plusNanos(1000)).device("just-inside")),
            record(Ev.at(Duration.ofDays(10)).device("last"))));
    try (DetectorService.Running running =
        service("late-events", "late-alerts", "e2e-late", other, InputFormat.JSON, "json", null)
            .start()) {
      List<String> alerts =
          Topics.readCommitted(
              kafka.clientConfig(), "late-alerts", 3, Duration.ofSeconds(90), UTF8);
      Set<String> devices = new TreeSet<>();
      for (String a : alerts) {
        devices.add(a.replaceAll(".*\"deviceId\":\"([^\"]*)\".*", "$1"));
      }
      assertEquals(Set.of("first", "just-inside", "last"), devices, String.join("\n", alerts));
      assertEquals(3, alerts.size(), String.join("\n", alerts));
    }
  }

  private static Map.Entry<String, byte[]> record(Ev e) {
    return new AbstractMap.SimpleEntry<>("k", e.json().getBytes(StandardCharsets.UTF_8));
  }
}
