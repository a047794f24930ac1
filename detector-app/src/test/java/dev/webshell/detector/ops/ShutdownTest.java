package dev.webshell.detector.ops;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.webshell.detector.e2e.DetectorProcess;
import dev.webshell.detector.e2e.Traffic;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fatal error stops the detector (a child JVM) with exit 1 and one clear line: here the schema
 * registry starts refusing the detector's credentials (401) while Avro records arrive — a
 * configuration to fix, which must stop the detector rather than dead-letter readable records. A
 * registry that merely does not answer makes the partition wait instead
 * (RegistryFaultsEndToEndTest). (SIGTERM → exit 0 is checked in {@link DeadLetterEndToEndTest}.)
 */
class ShutdownTest {
  @AutoClose private static EmbeddedKafkaCluster kafka;

  @TempDir Path tmp;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaCluster.start(1);
  }

  @Test
  void shouldExitWithOneLineAndCodeOneWhenTheRegistryStartsRefusingItsCredentials()
      throws Exception {
    kafka.createTopic("events", 1, (short) 1);
    kafka.createTopic("alerts", 1, (short) 1);
    kafka.createTopic("dead-letters", 1, (short) 1);
    // a registry that knows nothing (404 for every subject and id), then refuses the detector
    AtomicBoolean refusing = new AtomicBoolean();
    HttpServer registry =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    registry.createContext(
        "/",
        ex -> {
          boolean refuse = refusing.get();
          byte[] body =
              (refuse
                      ? "{\"error_code\":401,\"message\":\"Unauthorized\"}"
                      : "{\"error_code\":40401,\"message\":\"Subject not found\"}")
                  .getBytes(UTF_8);
          ex.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
          ex.sendResponseHeaders(refuse ? 401 : 404, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    registry.start();
    String url = "http://127.0.0.1:" + registry.getAddress().getPort();

    try (DetectorProcess detector =
        DetectorProcess.start(
            tmp,
            "detector",
            DetectorProcess.runArgs(
                kafka.bootstrapServers(),
                "events",
                "alerts",
                "dead-letters",
                "fatal",
                tmp.resolve("state"),
                "--schema-registry-url",
                url))) {
      detector.awaitRunning(1, Duration.ofSeconds(90));
      refusing.set(true);
      byte[] avro = new byte[32];
      Arrays.fill(avro, (byte) 2);
      avro[0] = 0; // Confluent magic byte, then schema id 0x02020202
      Traffic.produce(
          kafka.clientConfig(), List.of(new ProducerRecord<>("events", (byte[]) null, avro)));

      long t0 = System.nanoTime();
      int exit = detector.awaitExit(Duration.ofSeconds(90));
      String[] lines = detector.stderr().strip().split("\n");
      String last = lines[lines.length - 1];
      System.out.printf(
          "fatal: exit %d %d ms after the record; last line: %s%n",
          exit, (System.nanoTime() - t0) / 1_000_000, last);
      assertEquals(1, exit, detector.output());
      assertTrue(last.contains("detector: fatal error: "), detector.output());
      assertTrue(last.contains(url), "the line names the registry: " + last);
      assertEquals(
          1,
          Arrays.stream(lines).filter(l -> l.contains("fatal error")).count(),
          detector.output());
    } finally {
      registry.stop(0);
    }
  }
}
