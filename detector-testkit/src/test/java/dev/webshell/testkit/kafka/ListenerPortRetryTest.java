package dev.webshell.testkit.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.testkit.PortRetry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * The SASL and SSL listener ports are picked free and released before the broker binds them, so
 * another socket can take one in between (seen once in CI: "Received a fatal error while waiting
 * for all of the SocketServer Acceptors to be started"). The cluster then starts again on other
 * ports, a bounded number of times.
 */
class ListenerPortRetryTest {

  @Test
  void shouldStartOnOtherPortsWhenAListenerPortWasTakenInBetween() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      AtomicInteger asked = new AtomicInteger();
      try (EmbeddedKafkaCluster kafka =
          EmbeddedKafkaCluster.builder()
              .saslUser("u", "p")
              .portSource(
                  () -> asked.getAndIncrement() == 0 ? taken.getLocalPort() : PortRetry.freePort())
              .start()) {
        assertEquals(2, asked.get(), "one port for the failed start, one for the second");
        String port = kafka.saslBootstrapServers().replaceAll(".*:", "");
        assertNotEquals(String.valueOf(taken.getLocalPort()), port);
        try (Admin admin = Admin.create(kafka.saslClientConfig("SCRAM-SHA-512", "u", "p"))) {
          assertEquals(
              1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size(), "SASL works");
        }
      }
    }
  }

  @Test
  void shouldGiveUpWithTheBindFailureAfterTheLastAttempt() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      AtomicInteger asked = new AtomicInteger();
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  EmbeddedKafkaCluster.builder()
                      .saslUser("u", "p")
                      .portSource(
                          () -> {
                            asked.incrementAndGet();
                            return taken.getLocalPort();
                          })
                      .start());
      assertTrue(PortRetry.portTaken(e), e::toString);
      assertEquals(PortRetry.ATTEMPTS, asked.get());
    }
  }

  @Test
  void shouldNotRetryAFailureThatIsNotABind() {
    AtomicInteger asked = new AtomicInteger();
    assertThrows(
        IllegalStateException.class,
        () ->
            EmbeddedKafkaCluster.builder()
                .saslUser("u", "p")
                .brokerProperty("num.network.threads", "not-a-number")
                .portSource(
                    () -> {
                      asked.incrementAndGet();
                      return PortRetry.freePort();
                    })
                .start());
    assertEquals(1, asked.get(), "a config error is not retried");
  }
}
