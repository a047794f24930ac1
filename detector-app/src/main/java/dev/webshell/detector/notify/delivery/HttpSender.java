package dev.webshell.detector.notify.delivery;

import dev.webshell.detector.notify.destination.Destination;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/** Sends one request and reads at most 4 KB of the answer; never follows redirects. */
public final class HttpSender {
  static final int MAX_BODY = 4096;

  private final HttpClient client;
  private final Clock clock;

  public HttpSender(Duration connectTimeout, Clock clock) {
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.clock = clock;
  }

  public Outcome send(Destination.Request request) throws InterruptedException {
    try {
      HttpResponse<InputStream> r =
          client.send(request.http(), HttpResponse.BodyHandlers.ofInputStream());
      String body;
      try (InputStream in = r.body()) {
        body = new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8).strip();
      }
      return new Outcome(
          r.statusCode(),
          body,
          RetryPolicy.parseRetryAfter(
              r.headers().firstValue("Retry-After").orElse(null), clock.instant()),
          null);
    } catch (IOException e) {
      String what =
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      return new Outcome(0, "", java.util.Optional.empty(), what);
    }
  }
}
