package dev.webshell.detector.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A local stand-in for a paging service on 127.0.0.1: it checks each request against the service's
 * published contract (subclasses), answers a refusal as the service would when the request breaks
 * it, and otherwise the service's success, or what the test asked for next ({@link #failNext}: a
 * 429 with Retry-After, a 500…). Every request is recorded with what was answered.
 */
abstract class ContractServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** One request and the answer it got. */
  record Exchange(
      String method,
      String path,
      String query,
      Map<String, List<String>> headers,
      String body,
      int status,
      long atNanos) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  /** A forced answer for the next valid request matching {@code when}. */
  record Forced(int status, String retryAfter, String body, Predicate<Exchange> when) {}

  /** An answer: status, body, headers. */
  record Answer(int status, String body, Map<String, String> headers) {
    static Answer of(int status, String body) {
      return new Answer(status, body, Map.of());
    }
  }

  private final HttpServer server;
  final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
  final List<String> violations = new CopyOnWriteArrayList<>();
  private final Deque<Forced> forced = new ArrayDeque<>();
  private volatile Duration delay = Duration.ZERO;

  ContractServer() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", this::handle);
    server.start();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  /** The next {@code n} valid requests are answered {@code status} (with Retry-After if given). */
  synchronized void failNext(int n, int status, String retryAfter) {
    for (int i = 0; i < n; i++) {
      forced.add(
          new Forced(status, retryAfter, "{\"message\":\"forced " + status + "\"}", e -> true));
    }
  }

  /** Every valid request matching {@code when} is answered {@code status} with {@code body}. */
  synchronized void refuseWhen(Predicate<Exchange> when, int status, String body) {
    forced.add(new Forced(-status, null, body, when));
  }

  /** Every answer waits this long first (a slow service). */
  void delay(Duration d) {
    this.delay = d;
  }

  /** The contract's verdict: null when the request follows it, else the refusal to answer. */
  abstract Answer check(Exchange request);

  /** The service's answer to a valid request. */
  abstract Answer accept(Exchange request);

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] raw = ex.getRequestBody().readAllBytes();
      Exchange request =
          new Exchange(
              ex.getRequestMethod(),
              ex.getRequestURI().getPath(),
              ex.getRequestURI().getRawQuery(),
              Map.copyOf(ex.getRequestHeaders()),
              new String(raw, StandardCharsets.UTF_8),
              0,
              System.nanoTime());
      if (!delay.isZero()) {
        try {
          Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      Answer answer = check(request);
      if (answer != null) {
        violations.add(request.path() + ": " + answer.body());
      } else {
        answer = forcedAnswer(request);
        if (answer == null) {
          answer = accept(request);
        }
      }
      exchanges.add(
          new Exchange(
              request.method(),
              request.path(),
              request.query(),
              request.headers(),
              request.body(),
              answer.status(),
              request.atNanos()));
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      answer.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  private synchronized Answer forcedAnswer(Exchange request) {
    for (var it = forced.iterator(); it.hasNext(); ) {
      Forced f = it.next();
      if (!f.when().test(request)) {
        continue;
      }
      if (f.status() > 0) {
        it.remove();
      }
      int status = Math.abs(f.status());
      return new Answer(
          status,
          f.body(),
          f.retryAfter() == null ? Map.of() : Map.of("Retry-After", f.retryAfter()));
    }
    return null;
  }

  /** The requests answered with a 2xx. */
  List<Exchange> accepted() {
    List<Exchange> out = new ArrayList<>();
    for (Exchange e : exchanges) {
      if (e.status() >= 200 && e.status() < 300) {
        out.add(e);
      }
    }
    return out;
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.isTextual() ? v.asText() : v.toString();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
