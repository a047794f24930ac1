package dev.webshell.testkit.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.testkit.PortRetry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The registry's port is picked free and released before the child JVM binds it, so another socket
 * can take it in between. The registry is then started again on another port, a bounded number of
 * times; other failures are not retried.
 */
class ApicurioPortRetryTest {

  @Test
  void shouldStartOnAnotherPortWhenItsPortWasTakenInBetween() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      AtomicInteger asked = new AtomicInteger();
      try (ApicurioRegistry registry =
          ApicurioRegistry.start(
              Map.of(),
              () -> asked.getAndIncrement() == 0 ? taken.getLocalPort() : PortRetry.freePort())) {
        assertEquals(2, asked.get(), "one port for the failed start, one for the second");
        assertNotEquals(taken.getLocalPort(), registry.port());
        HttpResponse<String> subjects =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(registry.ccompatUrl() + "/subjects")).build(),
                    HttpResponse.BodyHandlers.ofString());
        assertEquals(200, subjects.statusCode());
        assertEquals("[]", subjects.body());
      }
    }
  }

  @Test
  void shouldRecogniseThePortInUseMessagesOnly() {
    assertTrue(taken("...java.net.BindException: Address already in use"));
    assertTrue(taken("Port 8080 seems to be in use by another process. Quarkus"));
    assertFalse(taken("exited with status 1: OutOfMemoryError"));
    assertFalse(taken(null));
    assertTrue(PortRetry.portTaken(new IllegalStateException(new java.net.BindException("x"))));
  }

  @Test
  void shouldNotRetryAFailureThatIsNotAPortInUse() {
    AtomicInteger asked = new AtomicInteger();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                ApicurioRegistry.start(
                    Map.of("quarkus.http.port", "not-a-port"),
                    () -> {
                      asked.incrementAndGet();
                      return PortRetry.freePort();
                    }));
    assertEquals(1, asked.get(), e.getMessage());
  }

  private static boolean taken(String message) {
    return PortRetry.portTaken(new IllegalStateException(message));
  }
}
