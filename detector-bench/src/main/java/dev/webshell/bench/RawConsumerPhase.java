package dev.webshell.bench;

import static dev.webshell.bench.Stats.mb;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Phase (a) of a round, the yardstick: a plain Kafka consumer with the detector's consumer settings
 * reads the whole input, bytes only.
 */
final class RawConsumerPhase {
  /** Its throughput and the CPU of its thread. */
  /**
   * @param brokerCpuNanos the broker's CPU time over the same interval as {@code cpu}, or -1
   *     ({@link Brokers#cpuNanos})
   * @param machine how busy the machine was over that interval
   */
  record Result(
      double eventsPerSecond,
      double mbPerSecond,
      CpuMeter.Reading cpu,
      long brokerCpuNanos,
      MachineCpu.Reading machine) {}

  private final BenchOptions o;
  private final BenchClients clients;
  private final String prefix;
  private final PrintWriter err;
  private final LongSupplier brokerCpu;

  RawConsumerPhase(
      BenchOptions o,
      BenchClients clients,
      String prefix,
      PrintWriter err,
      LongSupplier brokerCpu) {
    this.o = o;
    this.clients = clients;
    this.prefix = prefix;
    this.err = err;
    this.brokerCpu = brokerCpu;
  }

  /**
   * Reads the {@code events} records of {@code topic} in round {@code round}, timed from the first
   * non-empty poll to the last record.
   */
  Result run(String topic, int round) {
    long events = o.events();
    Map<String, Object> c = clients.consumerConfig(prefix + "-raw-" + (round + 1));
    err.printf("bench: %s: (a) raw consumer reading %s%n", o.roundName(round), topic);
    long read = 0;
    long bytes = 0;
    long first = 0;
    long last = 0;
    CpuMeter cpu = CpuMeter.currentThread();
    CpuMeter.Reading used;
    MachineCpu machine = MachineCpu.here();
    MachineCpu.Reading machineUsed;
    long brokerStart = -1;
    long brokerEnd;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      while (read < events && System.nanoTime() < deadline) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        if (!records.isEmpty() && first == 0) {
          first = System.nanoTime();
          cpu.start();
          machine.start();
          brokerStart = brokerCpu.getAsLong();
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          bytes += r.serializedValueSize();
          read++;
        }
      }
      last = System.nanoTime();
      used = cpu.stop();
      machineUsed = machine.stop();
      brokerEnd = brokerCpu.getAsLong();
    }
    if (read < events) {
      throw new IllegalStateException("raw consumer read only " + read + " of " + events);
    }
    double seconds = (last - first) / 1e9;
    return new Result(
        read / seconds,
        mb(bytes) / seconds,
        used,
        Brokers.between(brokerStart, brokerEnd),
        machineUsed);
  }
}
