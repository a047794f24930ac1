package dev.webshell.bench;

import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.ops.CaughtUp;
import dev.webshell.detector.ops.Directories;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.serde.AlertFormat;
import dev.webshell.detector.service.DetectorService;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Phase (b) of a round: a detector of its own ({@link DetectorService}, the code of {@code run};
 * its own application id, state and alerts topic) processes the whole input with exactly_once_v2.
 */
final class DetectorPhase {
  /**
   * Its throughput, how long it took to start, what it emitted, its heap and CPU.
   *
   * @param untilAllRunningSeconds from its first record until the client was RUNNING, every task of
   *     every thread restored and processing (0 if it already was, -1 if it never was): a part of
   *     the timed run in which some tasks wait, and their thread spins in Kafka Streams' state
   *     updater check
   * @param machine how busy the machine was over the timed run, and this JVM's CPU in it
   */
  record Result(
      String app,
      double eventsPerSecond,
      double seconds,
      double startupSeconds,
      double untilAllRunningSeconds,
      long alertsSeen,
      HeapWatch heap,
      CpuMeter.Reading cpu,
      long brokerCpuNanos,
      long brokerJitNanos,
      MachineCpu.Reading machine) {}

  /** What runs once a round's detector has finished the topic, before it is closed. */
  interface AfterThroughput {
    void accept(Result run, DetectorService.Running detector, KafkaConsumer<byte[], byte[]> reader)
        throws Exception;
  }

  private final BenchOptions o;
  private final BenchClients clients;
  private final RegistryConfig registryConfig;
  private final RuleSpec rule;
  private final short replication;
  private final PrintWriter err;
  private final LongSupplier brokerCpu;
  private final LongSupplier brokerJit;

  /**
   * @param brokerCpu the broker's CPU time so far ({@link Brokers#cpuNanos})
   * @param brokerJit its JIT compilers' CPU time so far ({@link Brokers#jitCpuNanos})
   */
  DetectorPhase(
      BenchOptions o,
      BenchClients clients,
      RegistryConfig registryConfig,
      RuleSpec rule,
      short replication,
      PrintWriter err,
      LongSupplier brokerCpu,
      LongSupplier brokerJit) {
    this.o = o;
    this.clients = clients;
    this.registryConfig = registryConfig;
    this.rule = rule;
    this.replication = replication;
    this.err = err;
    this.brokerCpu = brokerCpu;
    this.brokerJit = brokerJit;
  }

  /**
   * Round {@code round}: the detector processes the whole of {@code input} into {@code output},
   * timed from its first processed record until every expected alert revision is readable and its
   * committed offsets reached the end; then {@code then} runs, with the detector still open.
   */
  void run(
      Admin admin,
      String input,
      String output,
      String app,
      int round,
      long expectedAlerts,
      AfterThroughput then)
      throws Exception {
    err.printf(
        "bench: %s: (b) detector (exactly_once_v2) processing %s%n", o.roundName(round), input);
    Path stateDir = Files.createTempDirectory("detector-bench");
    HeapWatch heap = new HeapWatch();
    System.gc();
    heap.start();
    long t0 = System.nanoTime();
    long running;
    long allRunning = 0;
    long lastAlert = 0;
    long alertsSeen = 0;
    long doneOffsets = 0;
    try (DetectorService.Running detector = start(input, output, app, stateDir);
        KafkaConsumer<byte[], byte[]> reader = clients.alertReader(output)) {
      running = awaitFirstRecord(detector);
      CaughtUp caughtUp = clients.caughtUp(admin, app);
      Map<TopicPartition, Long> inputEnd = caughtUp.endOffsets(clients.inputPartitions(input));
      CpuMeter cpu = CpuMeter.threadsNamed(app + "-").start();
      MachineCpu machine = MachineCpu.here().start();
      long brokerStart = brokerCpu.getAsLong();
      long brokerJitStart = brokerJit.getAsLong();
      long deadline = running + TimeUnit.MINUTES.toNanos(8);
      long nextCheck = 0;
      while (System.nanoTime() < deadline) {
        ConsumerRecords<byte[], byte[]> records = reader.poll(Duration.ofMillis(50));
        if (!records.isEmpty()) {
          alertsSeen += records.count();
          lastAlert = System.nanoTime();
        }
        if (allRunning == 0 && detector.streams().state() == KafkaStreams.State.RUNNING) {
          allRunning = System.nanoTime();
        }
        if (System.nanoTime() >= nextCheck) {
          nextCheck = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
          if (doneOffsets == 0 && caughtUp.reached(inputEnd, caughtUp.committed())) {
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
      MachineCpu.Reading machineUsed = machine.stop();
      long brokerNanos = Brokers.between(brokerStart, brokerCpu.getAsLong());
      long brokerJitNanos = Brokers.between(brokerJitStart, brokerJit.getAsLong());
      heap.stop();
      if (doneOffsets == 0 || alertsSeen < expectedAlerts) {
        throw new IllegalStateException(
            String.format(
                "the detector did not finish within 8 minutes: %d of %d alerts, offsets %s",
                alertsSeen, expectedAlerts, doneOffsets == 0 ? "behind" : "at the end"));
      }
      double seconds = (Math.max(lastAlert, doneOffsets) - running) / 1e9;
      then.accept(
          new Result(
              app,
              o.events() / seconds,
              seconds,
              (running - t0) / 1e9,
              allRunning == 0 ? -1 : Math.max(0, allRunning - running) / 1e9,
              alertsSeen,
              heap,
              used,
              brokerNanos,
              brokerJitNanos,
              machineUsed),
          detector,
          reader);
    } finally {
      heap.stop();
      Directories.deleteRecursively(stateDir);
    }
  }

  private DetectorService.Running start(
      String input, String output, String applicationId, Path stateDir) {
    DetectorService.Settings settings =
        DetectorService.Settings.builder(new HashMap<>(clients.base()))
            .inputTopics(List.of(input))
            .outputTopic(output)
            .deadLetterTopic(output + ".dlq")
            .applicationId(applicationId)
            .stateDir(stateDir)
            .inputFormat(InputFormat.AUTO)
            .alertFormat(AlertFormat.AVRO)
            .registry(registryConfig)
            .rule(rule)
            .metricsPort(-1)
            .partitions(o.partitions())
            .replicationFactor(replication)
            .build();
    return new DetectorService(settings).start();
  }

  /**
   * Waits until the detector's first record is processed (Kafka Streams' {@code process-total} of
   * its threads above 0) and returns that moment, polled every millisecond: the start of its timed
   * run, as the raw consumer's is its first non-empty poll. Not the client's RUNNING state: with
   * several stream threads one may process for seconds while another still rebalances and the
   * client is still REBALANCING.
   */
  private static long awaitFirstRecord(DetectorService.Running running)
      throws InterruptedException {
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
}
