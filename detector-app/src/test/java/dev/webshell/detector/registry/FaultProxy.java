package dev.webshell.detector.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP proxy in front of a real schema registry that injects the faults a registry, its
 * load balancer or a proxy produce: error statuses (503, 429 with {@code Retry-After}), reset
 * connections, an HTML page with status 200. Raw sockets, one request per connection ({@code
 * Connection: close}), so that a reset is a real TCP RST.
 *
 * <p>Faults apply to requests whose path contains a given string: queued faults are used once each,
 * in order; a standing fault applies to every matching request until {@link #heal()}. Everything
 * else is forwarded to the upstream registry with its method, path, headers and body.
 */
public final class FaultProxy implements AutoCloseable {
  /** What the proxy does with a request instead of forwarding it. */
  public sealed interface Fault {}

  /** Answers {@code status} with {@code headers} and {@code body}. */
  public record Status(int status, Map<String, String> headers, String contentType, String body)
      implements Fault {}

  /** Resets the connection (TCP RST) without answering. */
  public record Reset() implements Fault {}

  /** An error status with a Confluent-style JSON body. */
  public static Fault status(int status) {
    return new Status(
        status,
        Map.of(),
        "application/json",
        "{\"error_code\":" + status + ",\"message\":\"injected " + status + "\"}");
  }

  /** 429 asking the client to come back in {@code seconds}. */
  public static Fault tooManyRequests(int seconds) {
    return new Status(
        429,
        Map.of("Retry-After", Integer.toString(seconds)),
        "application/json",
        "{\"error_code\":429,\"message\":\"slow down\"}");
  }

  /** A captive portal or proxy login page: status 200, HTML. */
  public static Fault html200() {
    return new Status(
        200,
        Map.of(),
        "text/html; charset=utf-8",
        "<!DOCTYPE html><html><body><h1>Please sign in</h1></body></html>");
  }

  public static Fault reset() {
    return new Reset();
  }

  private record Rule(String pathContains, Fault fault) {}

  private final URI upstream;
  private final ServerSocket server;
  private final ExecutorService pool = Executors.newCachedThreadPool(FaultProxy::daemon);
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Deque<Rule> queued = new ArrayDeque<>();
  private final List<Rule> standing = new ArrayList<>();
  private final AtomicInteger forwarded = new AtomicInteger();
  private final AtomicInteger injected = new AtomicInteger();
  private final List<String> log = new ArrayList<>();
  private volatile boolean closed;

  private FaultProxy(URI upstream, ServerSocket server) {
    this.upstream = upstream;
    this.server = server;
  }

  /**
   * Starts a proxy on a free loopback port forwarding to {@code upstream} (scheme, host and port;
   * paths are kept as they come).
   */
  public static FaultProxy start(String upstream) {
    try {
      ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      FaultProxy proxy = new FaultProxy(URI.create(upstream), server);
      Thread accept = daemon(proxy::acceptLoop);
      accept.setName("fault-proxy-accept");
      accept.start();
      return proxy;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the fault proxy", e);
    }
  }

  /** {@code http://127.0.0.1:PORT}: put the registry's path after it. */
  public String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Queues faults for the next requests whose path contains {@code pathContains}, in order. */
  public synchronized FaultProxy next(String pathContains, Fault... faults) {
    for (Fault f : faults) {
      queued.add(new Rule(pathContains, f));
    }
    return this;
  }

  /** Applies {@code fault} to every request whose path contains {@code pathContains}. */
  public synchronized FaultProxy always(String pathContains, Fault fault) {
    standing.add(new Rule(pathContains, fault));
    return this;
  }

  /** Drops every queued and standing fault: all requests are forwarded again. */
  public synchronized void heal() {
    queued.clear();
    standing.clear();
  }

  /** Requests forwarded to the registry. */
  public int forwarded() {
    return forwarded.get();
  }

  /** Requests answered with a fault. */
  public int injected() {
    return injected.get();
  }

  /** Queued faults not used yet. */
  public synchronized int pending() {
    return queued.size();
  }

  /** One line per request: method, path, and the fault or "forwarded STATUS". */
  public synchronized List<String> log() {
    return List.copyOf(log);
  }

  private synchronized Fault faultFor(String path) {
    for (Rule r : queued) {
      if (path.contains(r.pathContains())) {
        queued.remove(r);
        return r.fault();
      }
    }
    for (Rule r : standing) {
      if (path.contains(r.pathContains())) {
        return r.fault();
      }
    }
    return null;
  }

  private synchronized void logLine(String line) {
    log.add(line);
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = server.accept();
        pool.execute(() -> handle(s));
      } catch (IOException e) {
        if (!closed) {
          logLine("accept failed: " + e);
        }
      }
    }
  }

  private void handle(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      if (head == null) {
        return;
      }
      String[] lines = head.split("\r\n");
      String[] requestLine = lines[0].split(" ");
      String method = requestLine[0];
      String path = requestLine[1];
      HttpRequest.Builder forward =
          HttpRequest.newBuilder(upstream.resolve(path)).timeout(Duration.ofSeconds(30));
      int length = 0;
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon <= 0) {
          continue;
        }
        String name = lines[i].substring(0, colon).trim();
        String value = lines[i].substring(colon + 1).trim();
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("content-length")) {
          length = Integer.parseInt(value);
        } else if (!RESTRICTED.contains(lower)) {
          forward.header(name, value);
        }
      }
      byte[] body = in.readNBytes(length);
      Fault fault = faultFor(path);
      OutputStream out = socket.getOutputStream();
      if (fault instanceof Reset) {
        injected.incrementAndGet();
        logLine(method + " " + path + " reset");
        socket.setSoLinger(true, 0); // close() now sends RST
        return;
      }
      if (fault instanceof Status st) {
        injected.incrementAndGet();
        logLine(method + " " + path + " injected " + st.status());
        respond(
            out,
            st.status(),
            st.headers(),
            st.contentType(),
            st.body().getBytes(StandardCharsets.UTF_8));
        return;
      }
      forward.method(
          method,
          length == 0
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      HttpResponse<byte[]> r = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
      forwarded.incrementAndGet();
      logLine(method + " " + path + " forwarded " + r.statusCode());
      respond(
          out,
          r.statusCode(),
          Map.of(),
          r.headers().firstValue("Content-Type").orElse("application/json"),
          r.body());
    } catch (SocketException e) {
      // the client went away
    } catch (IOException e) {
      logLine("failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final Set<String> RESTRICTED =
      Set.of("connection", "host", "upgrade", "expect", "http2-settings", "transfer-encoding");

  private static void respond(
      OutputStream out, int status, Map<String, String> headers, String type, byte[] body)
      throws IOException {
    StringBuilder h =
        new StringBuilder("HTTP/1.1 ")
            .append(status)
            .append(' ')
            .append(status == 200 ? "OK" : "Status")
            .append("\r\nContent-Type: ")
            .append(type)
            .append("\r\nContent-Length: ")
            .append(body.length)
            .append("\r\nConnection: close\r\n");
    headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
    h.append("\r\n");
    out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  /** The request line and headers, up to the empty line; null at end of stream. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0; // matched bytes of \r\n\r\n
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      b.write(c);
      state =
          (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
              ? state + 1
              : (c == '\r' ? 1 : 0);
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "fault-proxy");
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing
    }
    pool.shutdownNow();
  }
}
