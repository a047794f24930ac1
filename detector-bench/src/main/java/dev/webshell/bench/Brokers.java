package dev.webshell.bench;

import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import dev.webshell.testkit.kafka.KafkaBrokerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Kafka the bench runs against: the user's cluster, or one embedded broker. */
abstract class Brokers implements AutoCloseable {
  abstract String bootstrapServers();

  /** Replication factor of the bench topics. */
  abstract short replication();

  /**
   * The CPU time the broker's process has used so far, in nanoseconds, or -1 when it is not known:
   * a broker of the user's cluster, or one in this JVM, whose threads cannot be told apart.
   */
  long cpuNanos() {
    return -1;
  }

  /**
   * The CPU time the broker's JIT compiler threads have used so far, in nanoseconds, or -1 when it
   * is not known (as {@link #cpuNanos}, and on systems without Linux's {@code /proc}). A compiler
   * thread that HotSpot stopped in between no longer counts, so this may fall short.
   */
  long jitCpuNanos() {
    return -1;
  }

  /**
   * The CPU nanoseconds used so far by the threads of process {@code pid} that HotSpot names as its
   * JIT compilers ({@code C1 CompilerThread0}, {@code C2 CompilerThread1}, ...), read from {@code
   * /proc/<pid>/task/<tid>/schedstat}; -1 where there is no such directory.
   */
  static long compilerThreadsCpuNanos(Path proc, long pid) {
    Path tasks = proc.resolve(Long.toString(pid)).resolve("task");
    long sum = 0;
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
      for (Path thread : threads) {
        try {
          String name = Files.readString(thread.resolve("comm")).trim();
          if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
            String stat = Files.readString(thread.resolve("schedstat")).trim();
            int space = stat.indexOf(' ');
            sum += Long.parseLong(space < 0 ? stat : stat.substring(0, space));
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended between the listing and the reading: it no longer counts
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return sum;
  }

  /** CPU nanoseconds between two readings of {@link #cpuNanos}; -1 if either is not known. */
  static long between(long start, long end) {
    return start < 0 || end < 0 ? -1 : end - start;
  }

  /**
   * The CPU time {@code process} has used so far, in nanoseconds; -1 if the system does not say.
   */
  static long cpuNanos(ProcessHandle process) {
    return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  @Override
  public abstract void close();

  static Brokers start(String external, String embedded, PrintWriter err) throws Exception {
    if (external != null) {
      return new Brokers() {
        @Override
        String bootstrapServers() {
          return external;
        }

        @Override
        short replication() {
          return -1;
        }

        @Override
        public void close() {}
      };
    }
    err.println("bench: starting an embedded Kafka broker (" + embedded + ")");
    return "in-process".equals(embedded) ? inProcess() : child(err);
  }

  private static Brokers inProcess() {
    EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(1);
    return new Brokers() {
      @Override
      String bootstrapServers() {
        return kafka.bootstrapServers();
      }

      @Override
      short replication() {
        return 1;
      }

      @Override
      public void close() {
        kafka.close();
      }
    };
  }

  /** {@link KafkaBrokerMain} in a child JVM; it stops when its stdin closes. */
  private static Brokers child(PrintWriter err) throws Exception {
    Path dir = Files.createTempDirectory("detector-bench-broker");
    Path log = dir.resolve("broker.log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(KafkaBrokerMain.class.getName());
    Process p =
        new ProcessBuilder(cmd)
            .redirectError(log.toFile())
            .redirectOutput(ProcessBuilder.Redirect.PIPE)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String bootstrap = out.readLine();
    if (bootstrap == null || bootstrap.isBlank()) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "the embedded broker did not start; its log: "
              + log
              + "\n"
              + String.join("\n", tail(log)));
    }
    return new Brokers() {
      @Override
      String bootstrapServers() {
        return bootstrap.trim();
      }

      @Override
      short replication() {
        return 1;
      }

      @Override
      long cpuNanos() {
        return cpuNanos(p.toHandle());
      }

      @Override
      long jitCpuNanos() {
        return compilerThreadsCpuNanos(Path.of("/proc"), p.pid());
      }

      @Override
      public void close() {
        try {
          p.getOutputStream().close();
          if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
              p.destroyForcibly();
            }
          }
        } catch (Exception e) {
          p.destroyForcibly();
          err.println("bench: broker stop: " + e.getMessage());
        }
        try {
          Files.deleteIfExists(log);
          Files.deleteIfExists(dir);
        } catch (Exception e) {
          // temporary files
        }
      }
    };
  }

  private static List<String> tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return lines.subList(Math.max(0, lines.size() - 20), lines.size());
    } catch (Exception e) {
      return List.of();
    }
  }
}
