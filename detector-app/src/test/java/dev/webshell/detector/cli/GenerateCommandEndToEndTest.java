package dev.webshell.detector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code detector generate} on a real broker: it says it wrote what the topic holds, and when the
 * broker refuses records it says so and exits 1 instead of reporting them written.
 */
class GenerateCommandEndToEndTest {
  @AutoClose private static EmbeddedKafkaCluster kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaCluster.start(1);
  }

  @Test
  void shouldWriteEveryGeneratedEventAndSayHowMany() {
    kafka.createTopic("gen-ok", 2, (short) 1);

    Run run = generate("--topic", "gen-ok", "--count", "300", "--format", "json");

    assertEquals(0, run.code(), run.err());
    assertTrue(run.err().contains("generate: 300 events to gen-ok in"), run.err());
    assertEquals(300, count("gen-ok", 300));
  }

  @Test
  void shouldWriteEveryWindowsRecordAndSayHowMany() {
    kafka.createTopic("gen-sysmon", 2, (short) 1);

    Run run = generate("--topic", "gen-sysmon", "--count", "200", "--format", "sysmon");

    assertEquals(0, run.code(), run.err());
    assertTrue(run.err().contains("generate: 200 records to gen-sysmon in"), run.err());
    assertEquals(200, count("gen-sysmon", 200));
  }

  @Test
  void shouldExitOneWithTheBrokersReasonWhenItRefusesTheRecords() {
    // a Defender row is about 3 KB: too large for this topic
    kafka.createTopic("gen-small", 1, (short) 1, Map.of("max.message.bytes", "200"));

    Run run = generate("--topic", "gen-small", "--count", "50", "--format", "json");

    assertEquals(1, run.code(), run.err());
    assertTrue(run.err().contains("records were not written to gen-small"), run.err());
    assertTrue(run.err().contains("RecordTooLargeException"), run.err());
    assertTrue(!run.err().contains("events to gen-small in"), run.err());
  }

  private record Run(int code, String err) {}

  private static Run generate(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 5];
    all[0] = "generate";
    all[1] = "--bootstrap-servers";
    all[2] = kafka.bootstrapServers();
    all[3] = "--rate";
    all[4] = "0";
    System.arraycopy(args, 0, all, 5, args.length);
    int code = cl.execute(all);
    return new Run(code, err.toString());
  }

  /** Records in {@code topic}, read until {@code expected} arrive or 5 s pass without any. */
  private static long count(String topic, long expected) {
    Map<String, Object> c = new HashMap<>(kafka.clientConfig());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "count-" + topic);
    long n = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long quietSince = System.nanoTime();
      while (System.nanoTime() - quietSince < Duration.ofSeconds(5).toNanos()) {
        int got = consumer.poll(Duration.ofMillis(200)).count();
        if (got > 0) {
          n += got;
          quietSince = System.nanoTime();
        }
        if (n > expected) {
          break;
        }
      }
    }
    return n;
  }
}
