package dev.webshell.detector.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The operations endpoint: {@code GET /metrics} (Prometheus text format), {@code GET /health/live}
 * (200 unless the streams client is in ERROR or NOT_RUNNING) and {@code GET /health/ready} (200
 * only in RUNNING, and not while a partition waits to retry a failure that is not the record's
 * fault).
 */
public final class OpsServer implements AutoCloseable {
  private final HttpServer server;

  public OpsServer(
      String host,
      int port,
      PrometheusMeterRegistry registry,
      Supplier<KafkaStreams.State> state,
      BooleanSupplier stalled)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 16);
    server.setExecutor(Executors.newSingleThreadExecutor(r -> daemon(r, "ops-http")));
    server.createContext(
        "/metrics",
        ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext(
        "/health/live",
        ex -> {
          KafkaStreams.State s = state.get();
          boolean live = s != KafkaStreams.State.ERROR && s != KafkaStreams.State.NOT_RUNNING;
          respond(ex, live ? 200 : 503, "text/plain", s + "\n");
        });
    server.createContext(
        "/health/ready",
        ex -> {
          KafkaStreams.State s = state.get();
          if (s == KafkaStreams.State.RUNNING && stalled.getAsBoolean()) {
            respond(ex, 503, "text/plain", "STALLED (retrying a failed write or registry call)\n");
          } else {
            respond(ex, s == KafkaStreams.State.RUNNING ? 200 : 503, "text/plain", s + "\n");
          }
        });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void respond(HttpExchange ex, int status, String type, String body)
      throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", type);
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
