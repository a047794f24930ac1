package dev.webshell.detector.cli;

import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.generator.Deliveries;
import dev.webshell.detector.generator.EventJson;
import dev.webshell.detector.generator.ProcessTreeTraffic;
import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.detector.generator.WindowsEventJson;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.service.StartupException;
import dev.webshell.schema.DeviceProcessEvent;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "generate",
    description = {
      "Produce realistic process-creation telemetry (benign traffic on many devices, web-shell"
          + " intrusions and near-misses) to a Kafka topic, or as JSON lines to stdout with"
          + " --output -: Defender DeviceProcessEvents (json, avro; keyed by DeviceId), or Windows"
          + " process trees as Sysmon (NXLog's flat JSON), Winlogbeat, ECS or Windows Security"
          + " 4688 records (sysmon, winlogbeat, ecs, windows-security; keyed by host name unless"
          + " --key none), with web servers' children and grandchildren, benign lineages, orphans"
          + " and records of other event types.",
      "Event time is the wall clock unless --start is given; then it is also the records' timestamp.",
      "Exits 1, saying how many records were not written and why, if the broker refused any."
    },
    mixinStandardHelpOptions = true,
    sortOptions = false)
public final class GenerateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Option(
      names = "--topic",
      defaultValue = "device-process-events",
      description = "Topic to write (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(
      names = "--output",
      paramLabel = "-",
      description = "Write JSON lines to stdout instead of Kafka ('-').")
  String output;

  @Option(
      names = "--rate",
      defaultValue = "100",
      description = "Events per second; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--count",
      defaultValue = "0",
      description =
          "Stop after this many events; 0 = run until stopped (default: ${DEFAULT-VALUE}).")
  long count;

  @Option(
      names = "--format",
      defaultValue = "json",
      description =
          "json, avro (Confluent wire format; needs --schema-registry-url), sysmon, winlogbeat,"
              + " ecs or windows-security (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--disorder",
      defaultValue = "0",
      paramLabel = "FRACTION",
      description =
          "Windows formats: the share of records held back and written up to 20 records late, so"
              + " that some children come before their parents (default: ${DEFAULT-VALUE}).")
  double disorder;

  @Option(
      names = "--key",
      defaultValue = "host",
      description =
          "Windows formats: host (the host name, lower case) or none (no key, as Winlogbeat's"
              + " Kafka output writes by default) (default: ${DEFAULT-VALUE}).")
  String key;

  @Mixin RegistryOptions registry;

  @Option(
      names = "--devices",
      defaultValue = "1000",
      description = "Number of devices (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(
      names = "--intrusions-per-million",
      defaultValue = "200",
      description = "How often an intrusion or near-miss starts (default: ${DEFAULT-VALUE}).")
  double intrusionsPerMillion;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--start",
      paramLabel = "ISO-8601",
      description = "Event time of the first event; then one --rate step per event.")
  Instant start;

  @Override
  public Integer call() throws Exception {
    if (!"json".equals(format) && !"avro".equals(format)) {
      WindowsEventJson.Shape shape;
      try {
        shape = WindowsEventJson.Shape.parse(format);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(
            spec.commandLine(),
            "--format must be json, avro, sysmon, winlogbeat, ecs or windows-security");
      }
      return windows(shape);
    }
    TrafficGenerator gen = new TrafficGenerator(seed, devices, intrusionsPerMillion / 1_000_000.0);
    if ("-".equals(output)) {
      PrintWriter out = spec.commandLine().getOut();
      for (long i = 0; count == 0 || i < count; i++) {
        out.println(EventJson.toJson(gen.next(eventMicros(i))));
      }
      out.flush();
      return 0;
    }
    SchemaRegistryClient registryClient = "avro".equals(format) ? registryClient() : null;
    ConfluentAvroSerializer<DeviceProcessEvent> serializer =
        registryClient == null ? null : ConfluentAvroSerializer.forValues(registryClient);
    try {
      return produce(
          "events",
          ts -> {
            DeviceProcessEvent e = gen.next(ts);
            byte[] value =
                serializer != null
                    ? serializer.serialize(topic, e)
                    : EventJson.toJson(e).getBytes(StandardCharsets.UTF_8);
            return new Generated(e.getDeviceId(), value);
          });
    } finally {
      if (registryClient != null) {
        registryClient.close();
      }
    }
  }

  /** The registry client of {@code --format avro}. */
  private SchemaRegistryClient registryClient() {
    RegistryConfig registryConfig = registry.config(kafka, null);
    if (registryConfig == null) {
      throw new StartupException("--format avro needs --schema-registry-url");
    }
    return SchemaRegistryClients.create(registryConfig);
  }

  private Integer windows(WindowsEventJson.Shape shape) throws Exception {
    if (disorder < 0 || disorder > 1) {
      throw new ParameterException(spec.commandLine(), "--disorder must be between 0 and 1");
    }
    if (!"host".equals(key) && !"none".equals(key)) {
      throw new ParameterException(spec.commandLine(), "--key must be host or none");
    }
    ProcessTreeTraffic traffic =
        new ProcessTreeTraffic(seed, devices, intrusionsPerMillion / 1_000_000.0, disorder);
    if ("-".equals(output)) {
      PrintWriter out = spec.commandLine().getOut();
      for (long i = 0; count == 0 || i < count; i++) {
        out.println(WindowsEventJson.toJson(traffic.next(eventMicros(i)), shape));
      }
      out.flush();
      return 0;
    }
    return produce(
        "records",
        ts -> {
          ProcessTreeTraffic.Record r = traffic.next(ts);
          byte[] value = WindowsEventJson.toJson(r, shape).getBytes(StandardCharsets.UTF_8);
          return new Generated(
              "none".equals(key) ? null : r.host().toLowerCase(Locale.ROOT), value);
        });
  }

  /** A generated record's key and value. */
  private record Generated(String key, byte[] value) {}

  /**
   * Sends {@code --count} records (or until stopped) made by {@code next} from their event time, at
   * {@code --rate}; 1 with one line on stderr if the broker did not take every record, 0 otherwise.
   */
  private int produce(String unit, LongFunction<Generated> next) throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    Map<String, Object> config = new HashMap<>(kafka.clientConfig());
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "web-shell-detector-generator");
    Deliveries deliveries = new Deliveries();
    long started = System.nanoTime();
    long sent = 0;
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      Runtime.getRuntime().addShutdownHook(new Thread(producer::flush));
      // the first failure stops the run: sending on would write past records the topic lacks
      for (long i = 0; (count == 0 || i < count) && deliveries.failed() == 0; i++) {
        long ts = eventMicros(i);
        Generated g = next.apply(ts);
        // with --start, the record timestamp is the event time, as a replayed archive would carry
        Long recordTime = start == null ? null : Math.floorDiv(ts, 1000L);
        producer.send(
            new ProducerRecord<>(topic, null, recordTime, g.key(), g.value()), deliveries);
        sent++;
        if (rate > 0) {
          long due = started + (long) (sent * 1e9 / rate);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
        }
        if (sent % 10_000 == 0) {
          err.printf("generate: %d %s sent%n", sent, unit);
        }
      }
      producer.flush();
    }
    try {
      deliveries.check(topic);
    } catch (IllegalStateException e) {
      err.println("generate: " + e.getMessage());
      return 1;
    }
    err.printf(
        Locale.ROOT,
        "generate: %d %s to %s in %.1f s%n",
        sent,
        unit,
        topic,
        (System.nanoTime() - started) / 1e9);
    return 0;
  }

  /** The event time of the {@code i}th record: now, or one --rate step per record from --start. */
  private long eventMicros(long i) {
    if (start == null) {
      return Timestamps.toMicros(Instant.now());
    }
    long stepMicros = rate > 0 ? (long) (1_000_000 / rate) : 1000;
    return Timestamps.toMicros(start) + i * stepMicros;
  }
}
