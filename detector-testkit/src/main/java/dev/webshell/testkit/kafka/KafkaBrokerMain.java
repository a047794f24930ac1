package dev.webshell.testkit.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs an {@link EmbeddedKafkaCluster} as a process, for the demo and for tests that want the
 * broker in a child JVM.
 *
 * <pre>
 * java -cp ... dev.webshell.testkit.kafka.KafkaBrokerMain [--brokers N] [--port-file F]
 *      [--sasl-user USER:PASSWORD]... [--broker-property KEY=VALUE]... [--separate-controller]
 *      [--ignore-stdin]
 * </pre>
 *
 * <p>When every broker is ready it prints the PLAINTEXT bootstrap servers as the first line of
 * stdout and, with SASL users, the SASL_PLAINTEXT bootstrap servers as the second line; the same
 * lines go to the port file, which is written atomically (its existence means "ready") and deleted
 * on exit. Nothing else is written to stdout; logs go to stderr.
 *
 * <p>It runs until SIGTERM/SIGINT or until stdin is closed (so a parent that dies takes the brokers
 * with it); with {@code --ignore-stdin} (for {@code < /dev/null} or {@code nohup}) only a signal
 * stops it. Both shut the brokers down cleanly and delete their data. Exit status: 0 after stdin
 * was closed, the JVM's usual 143 after SIGTERM, 1 if the cluster did not start, 2 for bad
 * arguments.
 */
public final class KafkaBrokerMain {

  private KafkaBrokerMain() {}

  /** Parsed command line. */
  record Options(
      int brokers,
      Path portFile,
      Map<String, String> saslUsers,
      Map<String, String> brokerProperties,
      boolean combined,
      boolean ignoreStdin) {

    static Options parse(String[] args) {
      int brokers = 1;
      Path portFile = null;
      Map<String, String> users = new LinkedHashMap<>();
      Map<String, String> props = new LinkedHashMap<>();
      boolean combined = true;
      boolean ignoreStdin = false;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--brokers" -> brokers = Integer.parseInt(value(args, ++i, a));
          case "--port-file" -> portFile = Path.of(value(args, ++i, a));
          case "--sasl-user" -> put(users, value(args, ++i, a), ':', a);
          case "--broker-property" -> put(props, value(args, ++i, a), '=', a);
          case "--separate-controller" -> combined = false;
          case "--ignore-stdin" -> ignoreStdin = true;
          default -> throw new IllegalArgumentException("unknown argument " + a);
        }
      }
      if (brokers < 1) {
        throw new IllegalArgumentException("--brokers must be >= 1");
      }
      return new Options(brokers, portFile, users, props, combined, ignoreStdin);
    }

    private static String value(String[] args, int i, String name) {
      if (i >= args.length) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      return args[i];
    }

    private static void put(Map<String, String> map, String pair, char sep, String name) {
      int at = pair.indexOf(sep);
      if (at <= 0) {
        throw new IllegalArgumentException(name + " expects a" + sep + "b, got " + pair);
      }
      map.put(pair.substring(0, at), pair.substring(at + 1));
    }
  }

  /**
   * Starts the cluster, announces it and waits for SIGTERM or end of stdin.
   *
   * @param args see the class comment
   */
  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("KafkaBrokerMain: " + e.getMessage());
      System.err.println(
          "usage: KafkaBrokerMain [--brokers N] [--port-file F] [--sasl-user USER:PASSWORD]..."
              + " [--broker-property KEY=VALUE]... [--separate-controller] [--ignore-stdin]");
      System.exit(2);
      return;
    }

    // stdout is the announcement channel: Kafka's storage formatter prints to System.out, so
    // everything printed while starting goes to stderr instead.
    PrintStream stdout = System.out;
    System.setOut(System.err);
    EmbeddedKafkaCluster cluster;
    try {
      EmbeddedKafkaCluster.Builder builder =
          EmbeddedKafkaCluster.builder()
              .brokers(options.brokers())
              .combinedController(options.combined())
              .brokerProperties(options.brokerProperties())
              .saslUsers(options.saslUsers());
      cluster = builder.start();
    } catch (RuntimeException e) {
      System.err.println("KafkaBrokerMain: cluster did not start: " + e);
      e.printStackTrace();
      System.exit(1);
      return;
    }

    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              try {
                cluster.close();
                deletePortFile(options.portFile());
              } finally {
                stopped.countDown();
              }
            },
            "kafka-broker-main-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);

    List<String> lines = new ArrayList<>();
    lines.add(cluster.bootstrapServers());
    if (cluster.saslEnabled()) {
      lines.add(cluster.saslBootstrapServers());
    }
    try {
      writePortFile(options.portFile(), lines);
    } catch (IOException e) {
      System.err.println("KafkaBrokerMain: cannot write port file: " + e);
      System.exit(1);
      return;
    }
    lines.forEach(stdout::println);
    stdout.flush();
    System.err.printf(
        "KafkaBrokerMain: %d broker(s) up in %d ms; stop with SIGTERM%s%n",
        options.brokers(),
        cluster.startupTime().toMillis(),
        options.ignoreStdin() ? "" : " or by closing stdin");

    if (options.ignoreStdin()) {
      awaitQuietly(stopped); // the JVM exits when the shutdown hook is done
      return;
    }
    drain(System.in);
    System.err.println("KafkaBrokerMain: stdin closed, shutting down");
    System.exit(0);
  }

  private static void writePortFile(Path portFile, List<String> lines) throws IOException {
    if (portFile == null) {
      return;
    }
    Path absolute = portFile.toAbsolutePath();
    if (absolute.getParent() != null) {
      Files.createDirectories(absolute.getParent());
    }
    Path tmp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
    Files.write(tmp, lines, StandardCharsets.UTF_8);
    Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void deletePortFile(Path portFile) {
    if (portFile == null) {
      return;
    }
    try {
      Files.deleteIfExists(portFile);
    } catch (IOException e) {
      System.err.println("KafkaBrokerMain: cannot delete port file: " + e);
    }
  }

  private static void drain(InputStream in) {
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // ignore input; only end of stream matters
      }
    } catch (IOException e) {
      // a broken stdin counts as closed
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    while (true) {
      try {
        latch.await();
        return;
      } catch (InterruptedException e) {
        // only the shutdown hook ends this wait
      }
    }
  }
}
