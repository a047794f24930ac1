package dev.webshell.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a server on a port that was picked free and then released: another socket on this machine
 * can take the port in between, and the start then fails with "address already in use". The start
 * is tried again (each attempt picks its own port), {@value #ATTEMPTS} times in all; any other
 * failure is thrown at once.
 */
public final class PortRetry {
  private static final Logger log = LoggerFactory.getLogger(PortRetry.class);

  /** Attempts in all. */
  public static final int ATTEMPTS = 3;

  private PortRetry() {}

  /**
   * A loopback port free at this moment (bound to port 0, then released): what each attempt picks
   * its ports with.
   *
   * @throws UncheckedIOException if no socket can be bound
   */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** One attempt: picks its ports, starts, and cleans up after itself when it fails. */
  @FunctionalInterface
  public interface Attempt<T, E extends Exception> {
    T start() throws E;
  }

  /**
   * Runs {@code attempt} until it succeeds, fails for another reason than a taken port, or has
   * failed {@value #ATTEMPTS} times.
   *
   * @param what what is started, for the warning logged before each new attempt
   */
  public static <T, E extends Exception> T start(String what, Attempt<T, E> attempt) throws E {
    for (int n = 1; ; n++) {
      try {
        return attempt.start();
      } catch (RuntimeException e) {
        if (n >= ATTEMPTS || !portTaken(e)) {
          throw e;
        }
        log.warn(
            "{}: a port was taken before it was bound (attempt {} of {}), starting again on"
                + " another: {}",
            what,
            n,
            ATTEMPTS,
            rootCause(e));
      }
    }
  }

  /**
   * True if a {@link BindException} is in the cause chain of {@code e} (or suppressed there), or a
   * message in it says the address or port is in use (a child process's log tail: Kafka's "Address
   * already in use", Quarkus's "Port … seems to be in use").
   */
  public static boolean portTaken(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
      for (Throwable s : t.getSuppressed()) {
        if (s instanceof BindException) {
          return true;
        }
      }
      String m = t.getMessage();
      if (m != null && (m.contains("Address already in use") || m.contains("seems to be in use"))) {
        return true;
      }
    }
    return false;
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.toString();
  }
}
