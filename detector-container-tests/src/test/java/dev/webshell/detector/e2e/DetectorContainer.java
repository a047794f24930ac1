package dev.webshell.detector.e2e;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Volume;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * The detector image built from this checkout, run with Testcontainers on the host's network (so
 * that the container reaches the test broker and registry on 127.0.0.1 and the test reaches its
 * metrics port there; no container here ever uses a bridge network), with a 1 GiB memory limit like
 * docker-compose.yml's. {@link #close()} removes the container.
 */
final class DetectorContainer implements AutoCloseable {
  /** The image's mount point for the Kafka Streams state (its VOLUME). */
  static final String STATE_DIR = "/var/lib/detector";

  private static final Pattern METRICS_PORT = Pattern.compile("metrics on :(\\d+)");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final GenericContainer<?> container;

  private DetectorContainer(GenericContainer<?> container) {
    this.container = container;
  }

  /**
   * The id of the image that this module's pre-integration-test built (deploy/docker/build-image
   * --iidfile): the build of this checkout, whatever another checkout tagged meanwhile.
   */
  static String imageId() {
    Path file = Path.of(System.getProperty("detector.image.iidfile", "target/detector-image.iid"));
    try {
      String id = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (id.isEmpty()) {
        throw new IllegalStateException(file + " is empty");
      }
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "no image id in "
              + file
              + ": build the image first (deploy/docker/build-image --iidfile "
              + file
              + "; `mvn verify` does it)",
          e);
    }
  }

  /**
   * Starts {@code detector run ARGS --metrics-port 0} and waits until it serves metrics (its
   * start-up checks passed and Kafka Streams started). {@code stateVolume}, when not null, is a
   * named Docker volume mounted at {@value #STATE_DIR}.
   */
  static DetectorContainer run(List<String> args, String stateVolume) {
    return run(args, stateVolume, false);
  }

  /**
   * As {@link #run(List, String)}; with {@code likeKubernetes}, under the container security
   * settings of deploy/kubernetes/statefulset.yaml: read-only root file system with a writable
   * {@code /tmp} (RocksDB unpacks its native library there), every capability dropped, no privilege
   * escalation.
   */
  static DetectorContainer run(List<String> args, String stateVolume, boolean likeKubernetes) {
    List<String> command = new ArrayList<>();
    command.add("run");
    command.addAll(args);
    command.addAll(List.of("--metrics-port", "0"));
    GenericContainer<?> c =
        base()
            .withCommand(command.toArray(String[]::new))
            .waitingFor(
                Wait.forLogMessage("(?s).*metrics on :\\d+.*", 1)
                    .withStartupTimeout(Duration.ofSeconds(120)));
    if (stateVolume != null) {
      c.withCreateContainerCmdModifier(
          cmd -> cmd.getHostConfig().withBinds(new Bind(stateVolume, new Volume(STATE_DIR))));
    }
    if (likeKubernetes) {
      c.withTmpFs(Map.of("/tmp", "rw,exec,nosuid,nodev,size=256m"))
          .withCreateContainerCmdModifier(
              cmd ->
                  cmd.getHostConfig()
                      .withReadonlyRootfs(true)
                      .withCapDrop(Capability.ALL)
                      .withSecurityOpts(List.of("no-new-privileges")));
    }
    return start(c);
  }

  /**
   * Runs {@code detector COMMAND...} to its end, with {@code files} (path in the container →
   * content) copied in first; the container stays until {@link #close()} for its logs and exit
   * code.
   */
  static DetectorContainer runToEnd(Map<String, byte[]> files, String... command) {
    GenericContainer<?> c =
        base()
            .withCommand(command)
            .withStartupCheckStrategy(
                new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(120)));
    files.forEach((path, content) -> c.withCopyToContainer(Transferable.of(content), path));
    return start(c);
  }

  /** {@code sh -c SCRIPT} in the image with {@code stateVolume} mounted; its stdout. */
  static String runShell(String stateVolume, String script) {
    try (GenericContainer<?> c =
        base()
            .withCreateContainerCmdModifier(
                cmd -> {
                  cmd.withEntrypoint("/bin/sh", "-c", script);
                  cmd.getHostConfig().withBinds(new Bind(stateVolume, new Volume(STATE_DIR)));
                })
            .withStartupCheckStrategy(
                new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(60)))) {
      c.start();
      return c.getLogs(OutputType.STDOUT);
    }
  }

  private static GenericContainer<?> base() {
    @SuppressWarnings("resource") // closed by DetectorContainer.close() or try-with-resources
    GenericContainer<?> c =
        new GenericContainer<>(DockerImageName.parse(imageId()))
            .withNetworkMode("host")
            .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withMemory(1L << 30));
    return c;
  }

  private static DetectorContainer start(GenericContainer<?> c) {
    try {
      c.start();
    } catch (RuntimeException e) {
      String logs = "(none)";
      try {
        logs = c.getLogs();
      } catch (RuntimeException ignored) {
        // the container may never have been created
      }
      c.stop();
      throw new IllegalStateException("detector container did not start; its output:\n" + logs, e);
    }
    return new DetectorContainer(c);
  }

  String containerId() {
    return container.getContainerId();
  }

  /** stdout and stderr so far. */
  String logs() {
    return container.getLogs();
  }

  String stdout() {
    return container.getLogs(OutputType.STDOUT);
  }

  String stderr() {
    return container.getLogs(OutputType.STDERR);
  }

  /** The port `run --metrics-port 0` chose, from its start line. */
  int metricsPort() {
    Matcher m = METRICS_PORT.matcher(logs());
    if (!m.find()) {
      throw new IllegalStateException("no 'metrics on :PORT' in the detector's output:\n" + logs());
    }
    return Integer.parseInt(m.group(1));
  }

  /** GET http://127.0.0.1:PORT{path}: status code, or -1 when nothing answers. */
  int httpStatus(String path) {
    URI uri = URI.create("http://127.0.0.1:" + metricsPort() + path);
    try {
      return HTTP.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Polls {@code path} until it answers 200 or {@code timeout} passes; the last status. */
  int awaitStatus200(String path, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int status = httpStatus(path);
    while (status != 200 && System.nanoTime() < deadline) {
      sleep(Duration.ofMillis(250));
      status = httpStatus(path);
    }
    return status;
  }

  ExecResult exec(String... command) {
    try {
      return container.execInContainer(command);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  InspectContainerResponse inspect() {
    return docker().inspectContainerCmd(containerId()).exec();
  }

  /** How {@code docker stop --time GRACE} went: exit code and time taken. */
  record Stop(long exitCode, Duration took, boolean oomKilled) {}

  /**
   * {@code docker stop --time grace}: the engine sends the image's stop signal (SIGTERM), then
   * SIGKILL (exit code 137) if the container is still running after {@code grace}.
   */
  Stop dockerStop(Duration grace) {
    long t0 = System.nanoTime();
    docker().stopContainerCmd(containerId()).withTimeout((int) grace.toSeconds()).exec();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    InspectContainerResponse.ContainerState state = inspect().getState();
    return new Stop(state.getExitCodeLong(), took, Boolean.TRUE.equals(state.getOOMKilled()));
  }

  /** Exit code of a container that ran to its end. */
  long exitCode() {
    return inspect().getState().getExitCodeLong();
  }

  @Override
  public void close() {
    container.stop();
  }

  static DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  /** Creates a named volume; {@link #removeVolume} removes it. */
  static String createVolume(String prefix) {
    String name = prefix + "-" + Long.toHexString(System.nanoTime());
    docker().createVolumeCmd().withName(name).exec();
    return name;
  }

  static void removeVolume(String name) {
    docker().removeVolumeCmd(name).exec();
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
