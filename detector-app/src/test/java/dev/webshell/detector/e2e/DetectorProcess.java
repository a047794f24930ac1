package dev.webshell.detector.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The detector CLI ({@code dev.webshell.detector.cli.Main}) in a child JVM on the test classpath,
 * with stdout and stderr captured to files. {@link #kill9()} sends SIGKILL, {@link #sigterm}
 * SIGTERM.
 */
public final class DetectorProcess implements AutoCloseable {
  private static final Pattern METRICS_PORT = Pattern.compile("metrics on :(\\d+)");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String name;
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private DetectorProcess(String name, Process process, Path stdout, Path stderr) {
    this.name = name;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Arguments of {@code run} for a test: JSON alerts, metrics on a free port, quick group
   * membership (a killed instance is noticed within 6 s), then {@code extra}.
   */
  public static List<String> runArgs(
      String bootstrap,
      String input,
      String output,
      String dlq,
      String applicationId,
      Path stateDir,
      String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--bootstrap-servers",
                bootstrap,
                "--input-topics",
                input,
                "--output-topic",
                output,
                "--dlq-topic",
                dlq,
                "--application-id",
                applicationId,
                "--state-dir",
                stateDir.toString(),
                "--alert-format",
                "json",
                "--metrics-port",
                "0",
                "-D",
                "consumer.session.timeout.ms=6000",
                "-D",
                "consumer.heartbeat.interval.ms=1000"));
    args.addAll(List.of(extra));
    return args;
  }

  /** Starts {@code detector ARGS…} (e.g. {@code run --bootstrap-servers …}). */
  public static DetectorProcess start(Path dir, String name, List<String> args) {
    return start(dir, name, args, Map.of());
  }

  public static DetectorProcess start(
      Path dir, String name, List<String> args, Map<String, String> env) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.webshell.detector.cli.Main");
    cmd.addAll(args);
    try {
      Files.createDirectories(dir);
      Path out = Files.createTempFile(dir, name + "-", ".out");
      Path err = Files.createTempFile(dir, name + "-", ".err");
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.PIPE);
      pb.environment().keySet().removeIf(k -> k.startsWith("DETECTOR_"));
      pb.environment().putAll(env);
      return new DetectorProcess(name, pb.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String stdout() {
    return read(stdout);
  }

  public String stderr() {
    return read(stderr);
  }

  /** Everything the process wrote, for assertion messages. */
  public String output() {
    return "--- " + name + " stdout ---\n" + stdout() + "--- " + name + " stderr ---\n" + stderr();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until stderr contains {@code text}; fails with the output if the process ends first. */
  public void awaitLog(String text, Duration timeout) {
    awaitLog(text, 1, timeout);
  }

  /** Waits until stderr contains {@code text} at least {@code times} times. */
  public void awaitLog(String text, int times, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count(stderr(), text) < times) {
      if (!process.isAlive()) {
        throw new AssertionError(
            name
                + " exited ("
                + process.exitValue()
                + ") before logging '"
                + text
                + "'\n"
                + output());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            name + " did not log '" + text + "' within " + timeout + "\n" + output());
      }
      sleep(200);
    }
  }

  /** Waits until the streams client is RUNNING (its state-change log line), n-th time. */
  public void awaitRunning(int times, Duration timeout) {
    awaitLog("-> RUNNING", times, timeout);
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  /** The port of /metrics and /health/*, from the start-up line. */
  public int metricsPort(Duration timeout) {
    awaitLog("metrics on :", timeout);
    Matcher m = METRICS_PORT.matcher(stderr());
    if (!m.find()) {
      throw new AssertionError("no metrics port in\n" + output());
    }
    return Integer.parseInt(m.group(1));
  }

  /** GET http://localhost:PORT/PATH: the status and body. */
  public static HttpResponse<String> get(int port, String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL: no shutdown hook, no commit, no flush. */
  public void kill9() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** SIGTERM; returns the exit code, or throws if the process is still alive after timeout. */
  public int sigterm(Duration timeout) {
    process.destroy();
    return awaitExit(timeout);
  }

  /** Waits for the process to end by itself; returns its exit code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(name + " still running after " + timeout + "\n" + output());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return process.exitValue();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
