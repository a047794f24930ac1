package dev.webshell.detector.e2e;

import dev.webshell.testkit.PortRetry;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A single KRaft broker started the way an operator starts one from the Kafka distribution: {@code
 * kafka-storage format}, then {@code kafka.Kafka server.properties}, in its own JVM. The project's
 * code plays no part in it.
 */
final class StandaloneBroker implements AutoCloseable {
  private final Process process;
  private final int port;

  private StandaloneBroker(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Formats and starts a broker under {@code dir} (in {@code dir/attempt-N}). Its two ports are
   * picked free and released before the broker binds them, so another socket can take one in
   * between; the broker then exits with "Address already in use" and is started again on other
   * ports ({@link PortRetry}).
   */
  static StandaloneBroker start(Path dir) throws Exception {
    AtomicInteger attempt = new AtomicInteger();
    return PortRetry.start(
        "standalone broker",
        () ->
            startOnce(
                Files.createDirectories(dir.resolve("attempt-" + attempt.incrementAndGet()))));
  }

  private static StandaloneBroker startOnce(Path dir) throws IOException, InterruptedException {
    int port = PortRetry.freePort();
    int controller = PortRetry.freePort();
    Path props = dir.resolve("server.properties");
    Files.writeString(
        props,
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controller,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + dir.resolve("data"),
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            ""));
    Process format =
        java("kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", props.toString())
            .redirectOutput(dir.resolve("format.log").toFile())
            .redirectErrorStream(true)
            .start();
    if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
      throw new IllegalStateException(
          "kafka-storage format failed: " + Files.readString(dir.resolve("format.log")));
    }
    StandaloneBroker broker =
        new StandaloneBroker(
            java("kafka.Kafka", props.toString())
                .redirectOutput(dir.resolve("broker.log").toFile())
                .redirectErrorStream(true)
                .start(),
            port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.readString(dir.resolve("broker.log")).contains("Kafka Server started")) {
      if (System.nanoTime() > deadline || !broker.process.isAlive()) {
        broker.close();
        throw new IllegalStateException(
            "broker did not start: " + Files.readString(dir.resolve("broker.log")));
      }
      Thread.sleep(200);
    }
    return broker;
  }

  static ProcessBuilder java(String main, String... args) {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                main));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }

  private static String clusterId() {
    UUID u = UUID.randomUUID();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
    b.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
  }

  String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  boolean answers() {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
