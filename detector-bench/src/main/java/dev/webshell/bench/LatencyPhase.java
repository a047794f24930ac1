package dev.webshell.bench;

import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.generator.Deliveries;
import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.detector.ops.CaughtUp;
import dev.webshell.detector.registry.ConfluentAvroDeserializer;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.service.DetectorService;
import dev.webshell.schema.DeviceProcessEvent;
import dev.webshell.schema.WebShellAlert;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Phase (c), after the last round: its detector, caught up and idle, takes events at {@code --rate}
 * for {@code --duration} seconds on the same topic, as a long-running detector does. Each alert
 * revision caused by one of them is timed from the event's Timestamp (the wall clock when produced)
 * to its being read (read_committed).
 */
final class LatencyPhase {
  private final BenchOptions o;
  private final BenchClients clients;
  private final SchemaRegistryClient registry;
  private final Report report;
  private final PrintWriter err;

  LatencyPhase(
      BenchOptions o,
      BenchClients clients,
      SchemaRegistryClient registry,
      Report report,
      PrintWriter err) {
    this.o = o;
    this.clients = clients;
    this.registry = registry;
    this.report = report;
    this.err = err;
  }

  void run(
      Admin admin,
      DetectorService.Running detector,
      KafkaConsumer<byte[], byte[]> reader,
      String input,
      String output,
      String app)
      throws Exception {
    err.printf(
        "bench: (c) latency at %,d events/s for %d s (exactly_once_v2)%n", o.rate(), o.duration());
    TrafficGenerator gen =
        new TrafficGenerator(o.seed() + 1, o.devices(), o.intrusionsPerMillion() / 1_000_000.0);
    EventEncoder encoder = new EventEncoder(o.avro(), registry, input);
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
    long total = (long) o.rate() * o.duration();
    Deliveries deliveries = new Deliveries();
    try (KafkaProducer<String, byte[]> producer = clients.producer(5)) {
      for (; sent < total; sent++) {
        long due = t0 + (long) (sent * 1e9 / o.rate());
        long wait = due - System.nanoTime();
        if (wait > 200_000) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        DeviceProcessEvent e = gen.next(Timestamps.toMicros(Instant.now()));
        producer.send(new ProducerRecord<>(input, e.getDeviceId(), encoder.encode(e)), deliveries);
      }
      producer.flush();
    }
    deliveries.check(input);
    seconds = (System.nanoTime() - t0) / 1e9;
    // let the detector drain: until its offsets reach the end, then one more second
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    CaughtUp caughtUp = clients.caughtUp(admin, app);
    Map<TopicPartition, Long> inputEnd = caughtUp.endOffsets(clients.inputPartitions(input));
    while (System.nanoTime() < deadline && !caughtUp.reached(inputEnd, caughtUp.committed())) {
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
    List<Double> maxPerSlice = Stats.maxPer5Seconds(latenciesMicros, arrivalsMicros, startMicros);
    report.put("latencyMaxMsPer5s", maxPerSlice);
    err.println("bench: (c) latency max per 5 s of the run (ms): " + maxPerSlice);
    Arrays.sort(latenciesMicros);
    double achieved = sent / seconds;
    report.put("latencyRate", Math.round(achieved));
    report.put("latencyAlerts", latenciesMicros.length);
    if (latenciesMicros.length == 0) {
      report.row("(c) latency", "no alert was read");
      return;
    }
    double p50 = Stats.percentile(latenciesMicros, 0.50);
    double p99 = Stats.percentile(latenciesMicros, 0.99);
    double max = latenciesMicros[latenciesMicros.length - 1] / 1000.0;
    report.put("latencyP50Ms", Math.round(p50 * 10) / 10.0);
    report.put("latencyP99Ms", Math.round(p99 * 10) / 10.0);
    report.put("latencyMaxMs", Math.round(max * 10) / 10.0);
    report.row(
        "(c) event-to-alert latency",
        String.format(
            Locale.ROOT,
            "p50 %.0f ms, p99 %.0f ms, max %.0f ms over %,d alert revisions",
            p50,
            p99,
            max,
            latenciesMicros.length));
    report.row(
        "    input rate",
        String.format(
            Locale.ROOT,
            "%,.0f events/s achieved (target %,d) for %.1f s",
            achieved,
            o.rate(),
            seconds));
  }
}
