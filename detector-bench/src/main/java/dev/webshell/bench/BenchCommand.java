package dev.webshell.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.detector.offline.Scanner;
import dev.webshell.detector.registry.ConfluentAvroDeserializer;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.schema.DeviceProcessEvent;
import dev.webshell.schema.WebShellAlert;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code detector bench}: how fast the detector keeps up, measured against the raw Kafka consumer
 * in the same run (so a busy machine shows in both figures, and their ratio stays meaningful).
 *
 * <ol>
 *   <li>produce N full-width events (Confluent Avro or JSON), about 0.1 % of them matching;
 *   <li>rounds, each of two phases over that topic: (a) a plain consumer reads it, bytes only, with
 *       the detector's consumer settings; (b) a detector ({@link DetectorService}, the same code as
 *       {@code run}) processes it with exactly_once_v2 until its last alert is committed and its
 *       offsets reach the end. The first {@code --warmup-rounds} are untimed (JIT warm-up); the
 *       figures are the medians of the {@code --rounds} timed ones;
 *   <li>(c) the last round's detector, caught up, takes a fixed input rate; event-to-alert latency
 *       is the time from the event's Timestamp (the wall clock when produced) until the alert is
 *       readable (read_committed).
 * </ol>
 *
 * A table goes to stdout, then one JSON object as the last line.
 */
@Command(
    name = "bench",
    description = {
      "Measure throughput (raw consumer vs detector, exactly-once) and event-to-alert latency"
          + " on an embedded broker (default) or your cluster (--bootstrap-servers).",
      "Prints a table, then one JSON object as the last line of stdout."
    },
    mixinStandardHelpOptions = true,
    sortOptions = false)
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--events",
      defaultValue = "2000000",
      description = "Events for the throughput phases (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--rate",
      defaultValue = "20000",
      description = "Input rate of the latency phase, events/s (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--duration",
      defaultValue = "30",
      description = "Seconds of the latency phase; 0 skips it (default: ${DEFAULT-VALUE}).")
  int duration;

  @Option(
      names = "--format",
      defaultValue = "avro",
      description =
          "Input format: avro (Confluent wire format) or json (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT,…",
      description =
          "A real cluster instead of the embedded broker (topics bench-<run>-* are created and"
              + " deleted).")
  String bootstrapServers;

  @Option(
      names = "--schema-registry-url",
      paramLabel = "URL",
      description =
          "A Confluent-compatible registry (e.g. Apicurio's ccompat URL); default: the"
              + " in-process mock://bench.")
  String schemaRegistryUrl;

  @Option(
      names = "--embedded-broker",
      defaultValue = "child",
      description =
          "child (a separate JVM, so the detector's heap is measured alone) or in-process"
              + " (default: ${DEFAULT-VALUE}).")
  String embeddedBroker;

  @Option(
      names = "--partitions",
      defaultValue = "4",
      description =
          "Partitions of the input topic; a multiple of the stream threads (one per CPU) keeps"
              + " them equally busy (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--devices",
      defaultValue = "50000",
      description = "Distinct devices (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(
      names = "--intrusions-per-million",
      defaultValue = "333",
      description =
          "Intrusion or near-miss scenarios started per million events; 333 makes about 0.1 %%"
              + " of events match (default: ${DEFAULT-VALUE}).")
  double intrusionsPerMillion;

  @Option(
      names = "--profile",
      defaultValue = "kql",
      description = "Built-in rule profile (default: ${DEFAULT-VALUE}).")
  String profile;

  @Option(
      names = "--commit-interval-ms",
      description = "commit.interval.ms of the detector (default: Kafka Streams' 100 under EOS).")
  Integer commitIntervalMs;

  @Option(
      names = "-D",
      paramLabel = "KEY=VALUE",
      description =
          "A Kafka client or Streams setting for the detector and the raw consumer; repeatable.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(
      names = "--warmup",
      defaultValue = "true",
      negatable = true,
      fallbackValue = "true",
      description =
          "Run rounds of phases (a) and (b) untimed over the same topic (--warmup-rounds)"
              + " before the timed ones, so that both are measured on JIT-compiled code, as a"
              + " long-running detector is; --no-warmup measures them cold (default:"
              + " ${DEFAULT-VALUE}).")
  boolean warmup;

  @Option(
      names = "--warmup-rounds",
      defaultValue = "5",
      description =
          "Untimed rounds of phases (a) then (b); 0 is --no-warmup (default: ${DEFAULT-VALUE}).")
  int warmupRounds;

  @Option(
      names = "--rounds",
      defaultValue = "5",
      description =
          "Timed rounds of phases (a) then (b); the figures are their medians (default:"
              + " ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed.")
  long seed;

  private PrintWriter err;
  private final Map<String, Object> results = new LinkedHashMap<>();
  private final List<String[]> table = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (!"avro".equals(format) && !"json".equals(format)) {
      throw new ParameterException(spec.commandLine(), "--format must be avro or json");
    }
    if (!"child".equals(embeddedBroker) && !"in-process".equals(embeddedBroker)) {
      throw new ParameterException(
          spec.commandLine(), "--embedded-broker must be child or in-process");
    }
    if (events < 1 || partitions < 1 || devices < 1 || rate < 1 || duration < 0) {
      throw new ParameterException(
          spec.commandLine(), "--events, --partitions, --devices, --rate must be positive");
    }
    if (warmupRounds < 0 || rounds < 1) {
      throw new ParameterException(
          spec.commandLine(), "--warmup-rounds must be 0 or more, --rounds 1 or more");
    }
    if (!warmup) {
      warmupRounds = 0;
    }
    err = spec.commandLine().getErr();
    RuleSpec rule = RuleFiles.builtIn(profile);
    String runId = Long.toString(System.currentTimeMillis(), 36);
    String registryUrl = schemaRegistryUrl != null ? schemaRegistryUrl : "mock://bench-" + runId;
    RegistryConfig registryConfig = RegistryConfig.of(registryUrl);
    try (Brokers brokers = Brokers.start(bootstrapServers, embeddedBroker, err);
        SchemaRegistryClient registry = SchemaRegistryClients.create(registryConfig)) {
      Map<String, Object> base = new HashMap<>();
      base.put("bootstrap.servers", brokers.bootstrapServers());
      base.putAll(overrides);
      if (commitIntervalMs != null) {
        base.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
      }
      Bench bench =
          new Bench(base, registry, registryConfig, rule, "bench-" + runId, brokers.replication());
      bench.run();
    }
    print();
    return 0;
  }

  /** The phases, sharing the clients' settings. */
  private final class Bench {
    private final Map<String, Object> base;
    private final SchemaRegistryClient registry;
    private final RegistryConfig registryConfig;
    private final RuleSpec rule;
    private final String prefix;
    private final short replication;

    Bench(
        Map<String, Object> base,
        SchemaRegistryClient registry,
        RegistryConfig registryConfig,
        RuleSpec rule,
        String prefix,
        short replication) {
      this.base = base;
      this.registry = registry;
      this.registryConfig = registryConfig;
      this.rule = rule;
      this.prefix = prefix;
      this.replication = replication;
    }

    void run() throws Exception {
      String input = prefix + "-events";
      int total = warmupRounds + rounds;
      List<String> topics = new ArrayList<>(List.of(input));
      for (int r = 0; r < total; r++) {
        topics.add(alertsTopic(r));
        topics.add(alertsTopic(r) + ".dlq");
      }
      try (Admin admin = Admin.create(base)) {
        admin
            .createTopics(
                topics.stream()
                    .map(t -> new NewTopic(t, t.endsWith("-events") ? partitions : 1, replication))
                    .collect(Collectors.toList()))
            .all()
            .get(60, TimeUnit.SECONDS);
        try {
          long expectedAlerts = produceAll(input);
          List<Round> timed = new ArrayList<>();
          for (int r = 0; r < total; r++) {
            int round = r;
            RawRun raw = rawConsumer(input, r);
            detector(
                admin,
                input,
                r,
                expectedAlerts,
                (det, running, reader) -> {
                  Round done = new Round(raw, det);
                  if (round == 0) {
                    results.put("coldDetectorEventsPerSecond", Math.round(det.eventsPerSecond()));
                  }
                  rowRound(round, done);
                  if (round >= warmupRounds) {
                    timed.add(done);
                  }
                  if (round == total - 1) {
                    summarize(timed, expectedAlerts);
                    if (duration > 0) {
                      latency(admin, running, reader, input, alertsTopic(round), det.app());
                    }
                  }
                });
          }
        } finally {
          deleteTopics(admin);
        }
      }
      results.put("settings", settings());
    }

    private String alertsTopic(int round) {
      return prefix + "-alerts-" + (round + 1);
    }

    private String roundName(int round) {
      return String.format(
          Locale.ROOT,
          "%s %d/%d",
          round < warmupRounds ? "warm-up" : "timed round",
          round < warmupRounds ? round + 1 : round - warmupRounds + 1,
          round < warmupRounds ? warmupRounds : rounds);
    }

    /** One line of the table per round: both phases, their CPU, the ratio. */
    private void rowRound(int round, Round r) {
      row(
          roundName(round) + (round < warmupRounds ? " (untimed)" : ""),
          String.format(
              Locale.ROOT,
              "raw %,.0f ev/s (%.2f us CPU/ev) | detector %,.0f ev/s (%.2f us CPU/ev, JIT %.1f s)"
                  + " | ratio %.3f",
              r.raw().eventsPerSecond(),
              r.raw().cpu().microsPer(events),
              r.det().eventsPerSecond(),
              r.det().cpu().microsPer(events),
              r.det().cpu().jitMillis() / 1000.0,
              r.ratio()));
    }

    /** Deletes every topic of this run: its own and the detectors' internal ones. */
    private void deleteTopics(Admin admin) {
      try {
        List<String> ours =
            admin.listTopics().names().get(60, TimeUnit.SECONDS).stream()
                .filter(t -> t.startsWith(prefix + "-"))
                .collect(Collectors.toList());
        admin.deleteTopics(ours).all().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        err.println("bench: could not delete the bench topics: " + e.getMessage());
      }
    }

    private Map<String, Object> settings() {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("format", format);
      s.put("partitions", partitions);
      s.put("devices", devices);
      s.put("intrusionsPerMillion", intrusionsPerMillion);
      s.put("profile", profile);
      s.put("processingGuarantee", "exactly_once_v2");
      s.put(
          "commitIntervalMs",
          base.getOrDefault(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "default (100)"));
      s.put("overrides", new LinkedHashMap<>(overrides));
      s.put(
          "broker",
          bootstrapServers != null ? "external" : "embedded (" + embeddedBroker + ", 1 broker)");
      s.put("registry", registryConfig.isMock() ? "mock" : registryConfig.urlsForDisplay());
      s.put("producer", "acks=all, linger.ms=20, batch.size=65536, compression=lz4");
      s.put("warmup", warmupRounds > 0);
      s.put("warmupRounds", warmupRounds);
      s.put("rounds", rounds);
      s.put("rate", rate);
      s.put("durationSeconds", duration);
      s.put("maxHeapMb", Runtime.getRuntime().maxMemory() >> 20);
      s.put("cpus", Runtime.getRuntime().availableProcessors());
      s.put("java", System.getProperty("java.version"));
      return s;
    }

    private KafkaProducer<String, byte[]> producer(int lingerMs) {
      Map<String, Object> p = new HashMap<>();
      p.put("bootstrap.servers", base.get("bootstrap.servers"));
      copyClientSecurity(base, p);
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
      p.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
      p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
      p.put(ProducerConfig.CLIENT_ID_CONFIG, prefix + "-producer");
      return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Produces the throughput topic, keyed by DeviceId, one millisecond apart in event time and
     * ending about now (well inside the 7-day lookback); returns the alert revisions the detector
     * must emit.
     */
    private long produceAll(String topic) throws Exception {
      err.printf("bench: producing %,d %s events to %s%n", events, format, topic);
      TrafficGenerator gen =
          new TrafficGenerator(seed, devices, intrusionsPerMillion / 1_000_000.0);
      ConfluentAvroSerializer<DeviceProcessEvent> avro = avroSerializer(topic);
      Rule r = new Rule(rule);
      long startMicros = Timestamps.toMicros(Instant.now()) - events * 1000L;
      StringBuilder matching = new StringBuilder();
      long matches = 0;
      long bytes = 0;
      long minSize = Long.MAX_VALUE;
      long maxSize = 0;
      long t0 = System.nanoTime();
      try (KafkaProducer<String, byte[]> producer = producer(20)) {
        for (long i = 0; i < events; i++) {
          DeviceProcessEvent e = gen.next(startMicros + i * 1000L);
          byte[] value = encode(avro, topic, e);
          bytes += value.length;
          minSize = Math.min(minSize, value.length);
          maxSize = Math.max(maxSize, value.length);
          if (matches(r, e)) {
            matches++;
            matching.append(EventJson.toJson(e)).append('\n');
          }
          producer.send(new ProducerRecord<>(topic, e.getDeviceId(), value));
          if ((i + 1) % 500_000 == 0) {
            err.printf("bench: %,d produced%n", i + 1);
          }
        }
        producer.flush();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long expected;
      try (Scanner scanner = new Scanner(rule)) {
        long[] n = {0};
        scanner.scan(
            new ByteArrayInputStream(matching.toString().getBytes(StandardCharsets.UTF_8)),
            a -> n[0]++,
            p -> {});
        expected = n[0];
      }
      results.put("events", events);
      results.put("avgEventBytes", Math.round((double) bytes / events));
      results.put("matchingEvents", matches);
      results.put("expectedAlertRevisions", expected);
      row("input", String.format(Locale.ROOT, "%,d %s events, %.1f MB", events, format, mb(bytes)));
      row(
          "event size (value bytes)",
          String.format(Locale.ROOT, "avg %d, min %d, max %d", bytes / events, minSize, maxSize));
      row(
          "matching events",
          String.format(
              Locale.ROOT,
              "%,d (%.3f %%) on %,d devices; %,d alert revisions expected (offline scan)",
              matches,
              100.0 * matches / events,
              devices,
              expected));
      row(
          "produce",
          String.format(Locale.ROOT, "%.1f s (%,.0f events/s)", seconds, events / seconds));
      err.printf("bench: produced in %.1f s; %d matching events%n", seconds, matches);
      return expected;
    }

    /**
     * Registers the schema once, then serializes with the subject's latest id (the mock registry
     * would otherwise compare the whole schema text on every record).
     */
    private ConfluentAvroSerializer<DeviceProcessEvent> avroSerializer(String topic) {
      registry.register(topic + "-value", DeviceProcessEvent.getClassSchema());
      return new ConfluentAvroSerializer<>(
          registry, false, ConfluentAvroSerializer.SchemaLookup.USE_LATEST);
    }

    private byte[] encode(
        ConfluentAvroSerializer<DeviceProcessEvent> avro, String topic, DeviceProcessEvent e) {
      return "avro".equals(format)
          ? avro.serialize(topic, e)
          : EventJson.toJson(e).getBytes(StandardCharsets.UTF_8);
    }

    private boolean matches(Rule r, DeviceProcessEvent e) {
      return r.matches(
          str(e.getFileName()),
          str(e.getProcessCommandLine()),
          str(e.getInitiatingProcessFileName()),
          str(e.getInitiatingProcessParentFileName()),
          str(e.getInitiatingProcessCommandLine()));
    }

    /** The consumer settings Kafka Streams gives its main consumer under exactly_once_v2. */
    private Map<String, Object> consumerConfig(String group) {
      Map<String, Object> c = new HashMap<>();
      for (Map.Entry<String, Object> e : base.entrySet()) {
        String k = e.getKey();
        for (String p : List.of("main.consumer.", "consumer.")) {
          if (k.startsWith(p)) {
            k = k.substring(p.length());
          }
        }
        if (ConsumerConfig.configNames().contains(k)) {
          c.put(k, e.getValue());
        }
      }
      c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      c.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
      c.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      return c;
    }

    /** Phase (a) of one round: its throughput and the CPU of its thread. */
    private record RawRun(double eventsPerSecond, double mbPerSecond, CpuMeter.Reading cpu) {}

    /** Phase (b) of one round. */
    private record DetRun(
        String app,
        double eventsPerSecond,
        double seconds,
        double startupSeconds,
        long alertsSeen,
        HeapWatch heap,
        CpuMeter.Reading cpu) {}

    /** Both phases of one round. */
    private record Round(RawRun raw, DetRun det) {
      double ratio() {
        return det.eventsPerSecond() / raw.eventsPerSecond();
      }
    }

    /** What runs once a round's detector has finished the topic, before it is closed. */
    private interface AfterThroughput {
      void accept(
          DetRun run, DetectorService.Running detector, KafkaConsumer<byte[], byte[]> reader)
          throws Exception;
    }

    /**
     * Phase (a) of round {@code round}: reads the {@code events} records of {@code topic}, bytes
     * only, timed from the first non-empty poll to the last record.
     */
    private RawRun rawConsumer(String topic, int round) {
      Map<String, Object> c = consumerConfig(prefix + "-raw-" + (round + 1));
      err.printf("bench: %s: (a) raw consumer reading %s%n", roundName(round), topic);
      long read = 0;
      long bytes = 0;
      long first = 0;
      long last = 0;
      CpuMeter cpu = CpuMeter.currentThread();
      CpuMeter.Reading used;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(topic));
        while (read < events && System.nanoTime() < deadline) {
          ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
          if (!records.isEmpty() && first == 0) {
            first = System.nanoTime();
            cpu.start();
          }
          for (ConsumerRecord<byte[], byte[]> r : records) {
            bytes += r.serializedValueSize();
            read++;
          }
        }
        last = System.nanoTime();
        used = cpu.stop();
      }
      if (read < events) {
        throw new IllegalStateException("raw consumer read only " + read + " of " + events);
      }
      double seconds = (last - first) / 1e9;
      return new RawRun(read / seconds, mb(bytes) / seconds, used);
    }

    private DetectorService.Running startDetector(
        String input, String output, String applicationId, Path stateDir) {
      DetectorService.Settings settings =
          new DetectorService.Settings(
              new HashMap<>(base),
              List.of(input),
              null,
              output,
              output + ".dlq",
              applicationId,
              stateDir,
              InputFormat.AUTO,
              AlertFormat.AVRO,
              registryConfig,
              rule,
              -1,
              false,
              partitions,
              replication,
              "exactly_once_v2",
              0);
      return new DetectorService(settings).start();
    }

    /**
     * Waits until the detector's first record is processed (Kafka Streams' {@code process-total} of
     * its threads above 0) and returns that moment, polled every millisecond: the start of its
     * timed run, as the raw consumer's is its first non-empty poll. Not the client's RUNNING state:
     * with several stream threads one may process for seconds while another still rebalances and
     * the client is still REBALANCING.
     */
    private long awaitFirstRecord(DetectorService.Running running) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (processed(running.streams()) == 0) {
        KafkaStreams.State state = running.streams().state();
        if (System.nanoTime() > deadline || !state.isRunningOrRebalancing()) {
          throw new IllegalStateException("the detector processed nothing: " + state);
        }
        Thread.sleep(1);
      }
      return System.nanoTime();
    }

    private static double processed(KafkaStreams streams) {
      double total = 0;
      for (var m : streams.metrics().entrySet()) {
        if (m.getKey().name().equals("process-total")
            && m.getKey().group().equals("stream-thread-metrics")
            && m.getValue().metricValue() instanceof Number n) {
          total += n.doubleValue();
        }
      }
      return total;
    }

    private KafkaConsumer<byte[], byte[]> alertReader(String topic) {
      Map<String, Object> c = consumerConfig(prefix + "-alert-reader");
      c.remove(ConsumerConfig.GROUP_ID_CONFIG);
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
      KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      consumer.position(tp);
      return consumer;
    }

    /** True when the group's committed offsets reached the topic's end offsets. */
    private boolean caughtUp(Admin admin, String group, String topic) throws Exception {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      var ends = admin.listOffsets(latest).all().get();
      for (var e : ends.entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        // the input is written without transactions: the end offset is one past the last record
        if (c == null || c.offset() < e.getValue().offset()) {
          return false;
        }
      }
      return true;
    }

    /**
     * Phase (b) of round {@code round}: a detector of its own (application id, state, alerts topic)
     * processes the whole topic, timed from its first processed record until every expected alert
     * revision is readable and its committed offsets reached the end; then {@code then} runs, with
     * the detector still open.
     */
    private void detector(
        Admin admin, String input, int round, long expectedAlerts, AfterThroughput then)
        throws Exception {
      String output = alertsTopic(round);
      String app = prefix + "-detector-" + (round + 1);
      err.printf(
          "bench: %s: (b) detector (exactly_once_v2) processing %s%n", roundName(round), input);
      Path stateDir = Files.createTempDirectory("detector-bench");
      HeapWatch heap = new HeapWatch();
      System.gc();
      heap.start();
      long t0 = System.nanoTime();
      long running;
      long lastAlert = 0;
      long alertsSeen = 0;
      long doneOffsets = 0;
      try (DetectorService.Running detector = startDetector(input, output, app, stateDir);
          KafkaConsumer<byte[], byte[]> reader = alertReader(output)) {
        running = awaitFirstRecord(detector);
        CpuMeter cpu = CpuMeter.threadsNamed(app + "-").start();
        long deadline = running + TimeUnit.MINUTES.toNanos(8);
        long nextCheck = 0;
        while (System.nanoTime() < deadline) {
          ConsumerRecords<byte[], byte[]> records = reader.poll(Duration.ofMillis(50));
          if (!records.isEmpty()) {
            alertsSeen += records.count();
            lastAlert = System.nanoTime();
          }
          if (System.nanoTime() >= nextCheck) {
            nextCheck = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            if (doneOffsets == 0 && caughtUp(admin, app, input)) {
              doneOffsets = System.nanoTime();
            }
          }
          if (doneOffsets != 0 && alertsSeen >= expectedAlerts) {
            break;
          }
          if (detector.streams().state() == KafkaStreams.State.ERROR) {
            throw new IllegalStateException("the detector failed");
          }
        }
        CpuMeter.Reading used = cpu.stop();
        heap.stop();
        if (doneOffsets == 0 || alertsSeen < expectedAlerts) {
          throw new IllegalStateException(
              String.format(
                  "the detector did not finish within 8 minutes: %d of %d alerts, offsets %s",
                  alertsSeen, expectedAlerts, doneOffsets == 0 ? "behind" : "at the end"));
        }
        double seconds = (Math.max(lastAlert, doneOffsets) - running) / 1e9;
        then.accept(
            new DetRun(
                app, events / seconds, seconds, (running - t0) / 1e9, alertsSeen, heap, used),
            detector,
            reader);
      } finally {
        heap.stop();
        deleteQuietly(stateDir);
      }
    }

    /**
     * The figures of the timed rounds: the median of each throughput, the median of the rounds'
     * ratios (each round's two phases ran a few seconds apart), the highest heap.
     */
    private void summarize(List<Round> timed, long expectedAlerts) {
      if (timed.isEmpty()) {
        throw new IllegalStateException("no timed round");
      }
      double raw = median(timed.stream().mapToDouble(r -> r.raw().eventsPerSecond()).toArray());
      double rawMb = median(timed.stream().mapToDouble(r -> r.raw().mbPerSecond()).toArray());
      double det = median(timed.stream().mapToDouble(r -> r.det().eventsPerSecond()).toArray());
      double ratio = median(timed.stream().mapToDouble(Round::ratio).toArray());
      double rawCpu =
          median(timed.stream().mapToDouble(r -> r.raw().cpu().microsPer(events)).toArray());
      double detCpu =
          median(timed.stream().mapToDouble(r -> r.det().cpu().microsPer(events)).toArray());
      Round last = timed.get(timed.size() - 1);
      long heapMax = timed.stream().mapToLong(r -> r.det().heap().maxUsedMb()).max().orElse(0);
      long liveMax = timed.stream().mapToLong(r -> r.det().heap().maxAfterGcMb()).max().orElse(0);
      results.put("rawConsumerEventsPerSecond", Math.round(raw));
      results.put("detectorEventsPerSecond", Math.round(det));
      results.put("ratio", round3(ratio));
      results.put("ratioRounds", timed.stream().map(r -> round3(r.ratio())).toList());
      results.put(
          "rawConsumerEventsPerSecondRounds",
          timed.stream().map(r -> Math.round(r.raw().eventsPerSecond())).toList());
      results.put(
          "detectorEventsPerSecondRounds",
          timed.stream().map(r -> Math.round(r.det().eventsPerSecond())).toList());
      results.put("rawConsumerCpuMicrosPerEvent", round2(rawCpu));
      results.put("detectorCpuMicrosPerEvent", round2(detCpu));
      results.put(
          "jitSecondsDuringDetectorRounds",
          timed.stream().map(r -> round2(r.det().cpu().jitMillis() / 1000.0)).toList());
      results.put("alertRevisions", last.det().alertsSeen());
      results.put("heapMaxMb", heapMax);
      results.put("heapMaxAfterGcMb", liveMax);
      results.put("detectorStartupSeconds", round2(last.det().startupSeconds()));
      String over =
          timed.size() == 1 ? "1 timed round" : "median of " + timed.size() + " timed rounds";
      row(
          "(a) raw consumer (bytes only)",
          String.format(
              Locale.ROOT,
              "%,.0f events/s, %.1f MB/s, %.2f us of CPU per event in its thread (%s)",
              raw,
              rawMb,
              rawCpu,
              over));
      row(
          "(b) detector, exactly_once_v2",
          String.format(
              Locale.ROOT,
              "%,.0f events/s, %.2f us of CPU per event in its client's threads (%s; from the"
                  + " first record to the last alert committed and offsets at the end)",
              det,
              detCpu,
              over));
      row(
          "    ratio detector/raw",
          String.format(Locale.ROOT, "%.3f (%s of the ratio)", ratio, over));
      row(
          "    alert revisions",
          String.format(
              Locale.ROOT,
              "%,d read in every round (%,d expected)",
              last.det().alertsSeen(),
              expectedAlerts));
      row(
          "    heap (this JVM)",
          String.format(
              Locale.ROOT,
              "max used %d MB, max live after GC %d MB, -Xmx %d MB",
              heapMax,
              liveMax,
              Runtime.getRuntime().maxMemory() >> 20));
    }

    /**
     * Phase (c): the last round's detector, caught up and idle, takes events at a fixed rate on the
     * same topic, as a long-running detector does; each alert revision caused by one of them is
     * timed from the event's Timestamp (the wall clock when produced) to its being read.
     */
    private void latency(
        Admin admin,
        DetectorService.Running detector,
        KafkaConsumer<byte[], byte[]> reader,
        String input,
        String output,
        String app)
        throws Exception {
      err.printf("bench: (c) latency at %,d events/s for %d s (exactly_once_v2)%n", rate, duration);
      TrafficGenerator gen =
          new TrafficGenerator(seed + 1, devices, intrusionsPerMillion / 1_000_000.0);
      ConfluentAvroSerializer<DeviceProcessEvent> avro = avroSerializer(input);
      ConfluentAvroDeserializer<WebShellAlert> alerts =
          ConfluentAvroDeserializer.specific(registry, WebShellAlert.class);
      long[] latenciesMicros = new long[1 << 16];
      long[] arrivalsMicros;
      long startMicros = 0;
      int[] n = {0};
      long sent = 0;
      double seconds;
      AtomicBoolean stop = new AtomicBoolean();
      Thread readerThread;
      Object lock = new Object();
      long[][] holder = {latenciesMicros, new long[latenciesMicros.length]};
      long since = Timestamps.toMicros(Instant.now());
      readerThread =
          new Thread(
              () -> {
                while (!stop.get()) {
                  ConsumerRecords<byte[], byte[]> records = reader.poll(Duration.ofMillis(20));
                  long now = Timestamps.toMicros(Instant.now());
                  synchronized (lock) {
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                      WebShellAlert a = alerts.deserialize(output, r.value());
                      long lastSeen = Timestamps.toMicros(a.getLastSeen());
                      if (lastSeen < since) {
                        continue; // a revision of phase (b), caused by none of these events
                      }
                      long lat = now - lastSeen;
                      if (n[0] == holder[0].length) {
                        holder[0] = Arrays.copyOf(holder[0], n[0] * 2);
                        holder[1] = Arrays.copyOf(holder[1], n[0] * 2);
                      }
                      holder[1][n[0]] = now;
                      holder[0][n[0]++] = lat;
                    }
                  }
                }
              },
              "bench-alert-reader");
      readerThread.setDaemon(true);
      readerThread.start();
      long t0 = System.nanoTime();
      startMicros = Timestamps.toMicros(Instant.now());
      long total = (long) rate * duration;
      try (KafkaProducer<String, byte[]> producer = producer(5)) {
        for (; sent < total; sent++) {
          long due = t0 + (long) (sent * 1e9 / rate);
          long wait = due - System.nanoTime();
          if (wait > 200_000) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          DeviceProcessEvent e = gen.next(Timestamps.toMicros(Instant.now()));
          producer.send(new ProducerRecord<>(input, e.getDeviceId(), encode(avro, input, e)));
        }
        producer.flush();
      }
      seconds = (System.nanoTime() - t0) / 1e9;
      // let the detector drain: until its offsets reach the end, then one more second
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline && !caughtUp(admin, app, input)) {
        if (detector.streams().state() == KafkaStreams.State.ERROR) {
          stop.set(true);
          throw new IllegalStateException("the detector failed");
        }
        Thread.sleep(100);
      }
      Thread.sleep(1000);
      stop.set(true);
      readerThread.join(10_000);
      synchronized (lock) {
        latenciesMicros = Arrays.copyOf(holder[0], n[0]);
        arrivalsMicros = Arrays.copyOf(holder[1], n[0]);
      }
      List<Double> maxPerSlice = maxPer5Seconds(latenciesMicros, arrivalsMicros, startMicros);
      results.put("latencyMaxMsPer5s", maxPerSlice);
      err.println("bench: (c) latency max per 5 s of the run (ms): " + maxPerSlice);
      Arrays.sort(latenciesMicros);
      double achieved = sent / seconds;
      results.put("latencyRate", Math.round(achieved));
      results.put("latencyAlerts", latenciesMicros.length);
      if (latenciesMicros.length == 0) {
        row("(c) latency", "no alert was read");
        return;
      }
      double p50 = percentile(latenciesMicros, 0.50);
      double p99 = percentile(latenciesMicros, 0.99);
      double max = latenciesMicros[latenciesMicros.length - 1] / 1000.0;
      results.put("latencyP50Ms", Math.round(p50 * 10) / 10.0);
      results.put("latencyP99Ms", Math.round(p99 * 10) / 10.0);
      results.put("latencyMaxMs", Math.round(max * 10) / 10.0);
      row(
          "(c) event-to-alert latency",
          String.format(
              Locale.ROOT,
              "p50 %.0f ms, p99 %.0f ms, max %.0f ms over %,d alert revisions",
              p50,
              p99,
              max,
              latenciesMicros.length));
      row(
          "    input rate",
          String.format(
              Locale.ROOT,
              "%,.0f events/s achieved (target %,d) for %.1f s",
              achieved,
              rate,
              seconds));
    }
  }

  /** The highest latency (ms) of the alerts read in each 5-second slice after {@code start}. */
  static List<Double> maxPer5Seconds(long[] latenciesMicros, long[] arrivalsMicros, long start) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < latenciesMicros.length; i++) {
      int slice = (int) Math.max(0, (arrivalsMicros[i] - start) / 5_000_000L);
      while (out.size() <= slice) {
        out.add(0.0);
      }
      out.set(slice, Math.max(out.get(slice), Math.round(latenciesMicros[i] / 100.0) / 10.0));
    }
    return out;
  }

  static double percentile(long[] sortedMicros, double q) {
    int i = (int) Math.ceil(q * sortedMicros.length) - 1;
    return sortedMicros[Math.max(0, Math.min(sortedMicros.length - 1, i))] / 1000.0;
  }

  private static void copyClientSecurity(Map<String, Object> from, Map<String, Object> to) {
    for (Map.Entry<String, Object> e : from.entrySet()) {
      if (e.getKey().startsWith("security.")
          || e.getKey().startsWith("sasl.")
          || e.getKey().startsWith("ssl.")) {
        to.put(e.getKey(), e.getValue());
      }
    }
  }

  private static String str(CharSequence s) {
    return s == null ? null : s.toString();
  }

  private static double mb(long bytes) {
    return bytes / 1048576.0;
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** The median: the middle value, or the mean of the two middle ones. */
  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private void row(String what, String value) {
    table.add(new String[] {what, value});
  }

  private void print() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    int w = table.stream().mapToInt(r -> r[0].length()).max().orElse(10);
    out.println("detector bench");
    for (String[] r : table) {
      out.printf("  %-" + w + "s  %s%n", r[0], r[1]);
    }
    out.println(new ObjectMapper().writeValueAsString(results));
    out.flush();
  }

  private static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      // a temporary directory; nothing else to do
    }
  }
}
