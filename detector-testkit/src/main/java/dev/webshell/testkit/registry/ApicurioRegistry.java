package dev.webshell.testkit.registry;

import dev.webshell.testkit.PortRetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

/**
 * A real schema registry for tests and the demo: Apicurio Registry {@value #VERSION} (in-memory
 * storage) started as a child JVM on a free loopback port. It serves the Confluent Schema Registry
 * API at {@link #ccompatUrl()}.
 *
 * <p>Like Confluent Schema Registry's default, every subject checks BACKWARD compatibility
 * (Apicurio's global compatibility rule is set by {@code registry.rules.global.compatibility});
 * Apicurio's own default would be none.
 *
 * <p>The distribution ({@code io.apicurio:apicurio-registry-app:}{@value #VERSION}{@code
 * :tar.gz:all}) is unpacked by this module's build into {@code detector-testkit/target/apicurio};
 * {@link #start()} finds it next to this class's code source, or in the directory named by the
 * system property {@value #HOME_PROPERTY}. The child's output goes to {@code
 * target/apicurio-registry-PORT.log} under the working directory (or {@value #LOG_DIR_PROPERTY}).
 * The process is killed by {@link #close()} and, should that never run, by a shutdown hook.
 */
public final class ApicurioRegistry implements AutoCloseable {
  /** The Apicurio Registry version this kit runs. */
  public static final String VERSION = "2.6.13.Final";

  /** System property naming the unpacked distribution's directory. */
  public static final String HOME_PROPERTY = "apicurio.home";

  /** System property naming the directory for the child's log file. */
  public static final String LOG_DIR_PROPERTY = "apicurio.logDir";

  /** Path of the Confluent-compatible API (Apicurio 2.x serves v6 and v7 alike). */
  public static final String CCOMPAT_PATH = "/apis/ccompat/v7";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final int LOG_TAIL_LINES = 40;

  private final Process process;
  private final int port;
  private final Path logFile;
  private final Duration startupTime;
  private final Thread shutdownHook;
  private volatile boolean closed;

  private ApicurioRegistry(
      Process process, int port, Path logFile, Duration startupTime, Thread shutdownHook) {
    this.process = process;
    this.port = port;
    this.logFile = logFile;
    this.startupTime = startupTime;
    this.shutdownHook = shutdownHook;
  }

  /** Starts a registry with the default settings and waits until it answers. */
  public static ApicurioRegistry start() {
    return start(Map.of());
  }

  /**
   * Starts a registry, with extra system properties for it (Quarkus or Apicurio settings, which
   * override the defaults), and waits until {@code GET .../subjects} answers 200.
   *
   * @throws IllegalStateException if the distribution is missing, or the registry did not come up
   *     within 60 s (the message holds the tail of its log)
   */
  public static ApicurioRegistry start(Map<String, String> systemProperties) {
    return start(systemProperties, PortRetry::freePort);
  }

  /**
   * As {@link #start(Map)}, the port from {@code ports}. The port is picked free and released
   * before the child binds it, so another socket on this machine can take it in between; the
   * registry is then started again on another port ({@link PortRetry}).
   */
  static ApicurioRegistry start(Map<String, String> systemProperties, IntSupplier ports) {
    return PortRetry.start("Apicurio Registry", () -> startOn(ports.getAsInt(), systemProperties));
  }

  private static ApicurioRegistry startOn(int port, Map<String, String> systemProperties) {
    Path home = home();
    Path runner = runnerJar(home);
    Path logFile = logDir().resolve("apicurio-registry-" + port + ".log");

    Map<String, String> props = new TreeMap<>();
    props.put("quarkus.http.host", "127.0.0.1");
    props.put("quarkus.http.port", Integer.toString(port));
    props.put("registry.rules.global.compatibility", "BACKWARD");
    props.put("quarkus.banner.enabled", "false");
    props.putAll(systemProperties);

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // C1 only and the serial collector: the registry starts in ~3 s instead of ~5 s on 2 cores
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Xmx384m");
    props.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-jar");
    command.add(runner.toString());

    long t0 = System.nanoTime();
    Process process;
    try {
      Files.createDirectories(logFile.getParent());
      process =
          new ProcessBuilder(command)
              .directory(home.toFile())
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Apicurio Registry from " + runner, e);
    }
    Thread hook = new Thread(process::destroyForcibly, "apicurio-registry-" + port + "-killer");
    Runtime.getRuntime().addShutdownHook(hook);
    ApicurioRegistry registry = new ApicurioRegistry(process, port, logFile, Duration.ZERO, hook);
    try {
      awaitReady(process, port, logFile);
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
    return new ApicurioRegistry(
        process, port, logFile, Duration.ofNanos(System.nanoTime() - t0), hook);
  }

  /** The Confluent-compatible API, e.g. {@code http://127.0.0.1:PORT/apis/ccompat/v7}. */
  public String ccompatUrl() {
    return baseUrl() + CCOMPAT_PATH;
  }

  /** The server root, e.g. {@code http://127.0.0.1:PORT}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** The loopback port it listens on. */
  public int port() {
    return port;
  }

  /** The child's stdout and stderr. */
  public Path logFile() {
    return logFile;
  }

  /** From process start until the first 200 from {@code /subjects}. */
  public Duration startupTime() {
    return startupTime;
  }

  /** Kills the registry (gracefully, then forcibly after 10 s); idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs or ran anyway
    }
  }

  @Override
  public String toString() {
    return "ApicurioRegistry[" + ccompatUrl() + ", log " + logFile + "]";
  }

  private static void awaitReady(Process process, int port, Path logFile) {
    URI probe = URI.create("http://127.0.0.1:" + port + CCOMPAT_PATH + "/subjects");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    String last = "no answer yet";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Apicurio Registry exited with status "
                + process.exitValue()
                + " before answering on "
                + probe
                + "; log "
                + logFile
                + " ends with:\n"
                + tail(logFile));
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(2)).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
        last = "HTTP " + r.statusCode();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for Apicurio Registry", e);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for Apicurio Registry", e);
      }
    }
    throw new IllegalStateException(
        "Apicurio Registry did not answer 200 on "
            + probe
            + " within "
            + START_TIMEOUT.toSeconds()
            + " s (last: "
            + last
            + "); log "
            + logFile
            + " ends with:\n"
            + tail(logFile));
  }

  private static String tail(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read the log: " + e + ")";
    }
  }

  static Path home() {
    String configured = System.getProperty(HOME_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    // target/classes/ or target/detector-testkit-*.jar: the distribution is target/apicurio
    Path codeSource;
    try {
      codeSource =
          Path.of(
              ApicurioRegistry.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | NullPointerException | SecurityException e) {
      throw new IllegalStateException(
          "cannot locate the Apicurio Registry distribution; set -D" + HOME_PROPERTY + "=DIR", e);
    }
    return codeSource.toAbsolutePath().getParent().resolve("apicurio");
  }

  private static Path runnerJar(Path home) {
    if (Files.isDirectory(home)) {
      try (Stream<Path> files = Files.list(home)) {
        Path jar =
            files
                .filter(f -> f.getFileName().toString().endsWith("-runner.jar"))
                .findFirst()
                .orElse(null);
        if (jar != null) {
          return jar;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + home, e);
      }
    }
    throw new IllegalStateException(
        "no Apicurio Registry distribution (*-runner.jar) in "
            + home
            + ": build the detector-testkit module first (mvn -pl detector-testkit -am package"
            + " unpacks io.apicurio:apicurio-registry-app:"
            + VERSION
            + ":tar.gz:all there), or set -D"
            + HOME_PROPERTY
            + "=DIR to an unpacked copy");
  }

  private static Path logDir() {
    String configured = System.getProperty(LOG_DIR_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    Path target = Path.of("target");
    return Files.isDirectory(target)
        ? target.toAbsolutePath()
        : Path.of(System.getProperty("java.io.tmpdir"));
  }
}
