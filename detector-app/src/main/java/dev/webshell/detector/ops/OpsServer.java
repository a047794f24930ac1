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
 * and {@code GET /health/ready} (200 or 503 with the state as text). For the detector: live unless
 * the streams client is in ERROR or NOT_RUNNING, ready only in RUNNING and not while a partition
 * waits to retry a failure that is not the record's fault.
 */
public final class OpsServer implements AutoCloseable {
  /** What the health endpoints answer. */
  public record Health(boolean live, boolean ready, String state) {}

  /** Where the health comes from. */
  @FunctionalInterface
  public interface HealthSource {
    Health health();
  }

  private final HttpServer server;

  /** The detector's endpoint: health from its streams client and its retried failures. */
  public OpsServer(
      String host,
      int port,
      PrometheusMeterRegistry registry,
      Supplier<KafkaStreams.State> state,
      BooleanSupplier stalled)
      throws IOException {
    this(
        host,
        port,
        registry,
        (HealthSource)
            () -> {
              KafkaStreams.State s = state.get();
              boolean live = s != KafkaStreams.State.ERROR && s != KafkaStreams.State.NOT_RUNNING;
              if (s == KafkaStreams.State.RUNNING && stalled.getAsBoolean()) {
                return new Health(
                    live, false, "STALLED (retrying a failed write or registry call)");
              }
              return new Health(live, s == KafkaStreams.State.RUNNING, s.toString());
            });
  }

  /** An endpoint whose health comes from {@code health} (e.g. {@code notify}). */
  public OpsServer(String host, int port, PrometheusMeterRegistry registry, HealthSource health)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 16);
    server.setExecutor(Executors.newSingleThreadExecutor(r -> daemon(r, "ops-http")));
    server.createContext(
        "/metrics",
        ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext(
        "/health/live",
        ex -> {
          Health h = health.health();
          respond(ex, h.live() ? 200 : 503, "text/plain", h.state() + "\n");
        });
    server.createContext(
        "/health/ready",
        ex -> {
          Health h = health.health();
          respond(ex, h.ready() ? 200 : 503, "text/plain", h.state() + "\n");
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
