package dev.webshell.detector.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.webshell.testkit.kafka.TlsMaterial;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against an HTTPS registry that requires a client certificate (mutual TLS): with the
 * keystore it gets its answer over HTTP/1.1 with the client certificate presented; without it the
 * handshake fails (the registry is unavailable, nothing else); a wrong keystore password is named
 * without the password.
 */
class RegistryMutualTlsTest {
  @TempDir static Path dir;
  private static TlsMaterial tls;
  private static HttpsServer server;
  private static String url;
  private static final List<String> clients = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    tls = TlsMaterial.generate(dir.resolve("tls"));
    char[] password = tls.password().toCharArray();
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(load(tls.keystore(), password), password);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(load(tls.truststore(), password));
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(ssl) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters p = ssl.getDefaultSSLParameters();
            p.setNeedClientAuth(true);
            params.setSSLParameters(p);
          }
        });
    String schema =
        new ObjectMapper().createObjectNode().put("schema", TestSchemas.TINY.toString()).toString();
    server.createContext(
        "/",
        ex -> {
          SSLSession session = ((com.sun.net.httpserver.HttpsExchange) ex).getSSLSession();
          clients.add(session.getPeerPrincipal().getName() + " " + ex.getProtocol());
          byte[] out = schema.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, out.length);
          ex.getResponseBody().write(out);
          ex.close();
        });
    server.start();
    url = "https://localhost:" + server.getAddress().getPort();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static KeyStore load(Path file, char[] password) throws Exception {
    KeyStore ks = KeyStore.getInstance(TlsMaterial.STORE_TYPE);
    try (InputStream in = Files.newInputStream(file)) {
      ks.load(in, password);
    }
    return ks;
  }

  private static RegistryConfig.Builder trusting() {
    return RegistryConfig.builder(url)
        .truststore(tls.truststore(), tls.password(), null)
        .requestTimeout(Duration.ofSeconds(5))
        .retries(new RegistryConfig.Retries(0, Duration.ZERO, Duration.ZERO));
  }

  @Test
  void shouldPresentTheKeystoresCertificateOverHttp11() {
    var client =
        new HttpSchemaRegistryClient(
            trusting().keystore(tls.keystore(), tls.password(), "PKCS12").build());
    assertEquals(TestSchemas.TINY, client.getById(1));
    assertEquals(List.of("CN=localhost HTTP/1.1"), clients);
  }

  @Test
  void shouldBeUnavailableWithoutAClientCertificate() {
    var client = new HttpSchemaRegistryClient(trusting().build());
    RegistryUnavailableException e =
        assertThrows(RegistryUnavailableException.class, () -> client.getById(2));
    assertTrue(e.isUnreachable(), e.getMessage());
  }

  @Test
  void shouldNameAKeystoreWhosePasswordIsWrongButNotThePassword() {
    RegistryConfig config = trusting().keystore(tls.keystore(), "wrong-Pw-55", null).build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new HttpSchemaRegistryClient(config));
    assertTrue(e.getMessage().contains(tls.keystore().toString()), e.getMessage());
    assertFalse(e.getMessage().contains("wrong-Pw-55"), e.getMessage());
    assertFalse(e.getMessage().contains(tls.password()), e.getMessage());
  }
}
