package dev.webshell.detector.service;

import dev.webshell.detector.ops.RootCause;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * How a long-running command ({@code run}, {@code notify}) ends. A SIGTERM closes the service and
 * ends the JVM with 0 when it closed within its timeout, 1 when it did not: the JVM's own status
 * after SIGTERM would be 143, which supervisors count as a failure. A fatal error closes it and
 * returns 1, after one line that says why.
 */
public final class UntilStopped {
  /** A started service. */
  public interface Service extends AutoCloseable {
    /** Waits until the service stops by itself; the error that stopped it, or {@code null}. */
    Throwable awaitFailure() throws InterruptedException;

    /** Stops it; true when that was done within {@code timeout}. */
    boolean closeWithin(Duration timeout);

    @Override
    void close();
  }

  private UntilStopped() {}

  /**
   * Runs {@code running} until SIGTERM or a fatal error.
   *
   * @param hookName the name of the SIGTERM hook's thread
   * @param stopping what a SIGTERM does, for the log ("committing and closing state stores")
   * @param timeout how long a SIGTERM waits for the service to close
   * @param noError what the fatal line says when the service stopped without an error
   * @return 1 after a fatal error (after a SIGTERM the JVM ends instead)
   */
  public static int run(
      Service running,
      Logger log,
      String hookName,
      String stopping,
      Duration timeout,
      String noError) {
    Thread hook =
        new Thread(
            () -> {
              log.info("stopping (SIGTERM): {}", stopping);
              boolean clean = running.closeWithin(timeout);
              log.info(clean ? "stopped" : "stop timed out after " + timeout.toSeconds() + " s");
              Runtime.getRuntime().halt(clean ? 0 : 1);
            },
            hookName);
    Runtime.getRuntime().addShutdownHook(hook);
    Throwable error;
    try {
      error = running.awaitFailure();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = e;
    }
    // a fatal error: leave without the SIGTERM hook's success status
    Runtime.getRuntime().removeShutdownHook(hook);
    running.close();
    log.error("fatal error: {}", error == null ? noError : RootCause.message(error));
    return 1;
  }
}
