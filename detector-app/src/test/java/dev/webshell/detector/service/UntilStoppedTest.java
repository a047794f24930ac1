package dev.webshell.detector.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * The fatal-error end of {@link UntilStopped}; the SIGTERM end halts the JVM and is checked on a
 * child JVM ({@code DeadLetterEndToEndTest}: exit 0).
 */
class UntilStoppedTest {
  /** A service that stops by itself with {@code failure}, and records how it was closed. */
  static final class Stub implements UntilStopped.Service {
    final Throwable failure;
    int closed;
    int closedWithin;

    Stub(Throwable failure) {
      this.failure = failure;
    }

    @Override
    public Throwable awaitFailure() {
      return failure;
    }

    @Override
    public boolean closeWithin(Duration timeout) {
      closedWithin++;
      return true;
    }

    @Override
    public void close() {
      closed++;
    }
  }

  /** A logger that keeps each call as "method: arguments". */
  static Logger recording(List<String> calls) {
    return (Logger)
        Proxy.newProxyInstance(
            Logger.class.getClassLoader(),
            new Class<?>[] {Logger.class},
            (proxy, method, args) -> {
              if (method.getReturnType() == boolean.class) {
                return true; // isXxxEnabled
              }
              if (method.getReturnType() == String.class) {
                return "test";
              }
              calls.add(method.getName() + ": " + (args == null ? "" : Arrays.toString(args)));
              return null;
            });
  }

  @Test
  void shouldCloseTheServiceAndReturnOneWithTheRootCauseOnOneLineWhenItFails() {
    List<String> log = new ArrayList<>();
    Stub service =
        new Stub(
            new ExecutionException(
                "wrapper", new IllegalStateException("broker\n  refused the transaction")));

    int exit =
        UntilStopped.run(
            service, recording(log), "t-shutdown", "closing", Duration.ofSeconds(1), "-");

    assertEquals(1, exit);
    assertEquals(1, service.closed);
    assertEquals(0, service.closedWithin, "closeWithin is the SIGTERM hook's");
    assertEquals(List.of("error: [fatal error: {}, broker refused the transaction]"), log);
  }

  @Test
  void shouldSayWhatTheServiceReportsWhenItStoppedWithoutAnError() {
    List<String> log = new ArrayList<>();
    Stub service = new Stub(null);

    int exit =
        UntilStopped.run(
            service,
            recording(log),
            "t-shutdown",
            "closing",
            Duration.ofSeconds(1),
            "the streams client entered ERROR");

    assertEquals(1, exit);
    assertEquals(1, service.closed);
    assertEquals(List.of("error: [fatal error: {}, the streams client entered ERROR]"), log);
  }
}
