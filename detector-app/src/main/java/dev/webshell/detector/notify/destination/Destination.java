package dev.webshell.detector.notify.destination;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;

/**
 * An on-call or chat service that takes notifications over HTTP: how each notification becomes one
 * request. Implementations hold their endpoint and credentials; {@link #redact} keeps credentials
 * out of what is logged or dead-lettered.
 */
public interface Destination {
  /** {@code pagerduty}, {@code opsgenie}, {@code slack}, {@code webhook}: metric and state key. */
  String name();

  /** The request that carries {@code n}. */
  Request request(Notification n);

  /** A request and its body, kept for dead letters (redacted). */
  record Request(HttpRequest http, String body) {
    /** A request to {@code uri} that sends JSON and gives up after {@code timeout}. */
    static HttpRequest.Builder json(URI uri, Duration timeout) {
      return HttpRequest.newBuilder(uri)
          .timeout(timeout)
          .header("Content-Type", "application/json");
    }

    /** {@code http} ({@link #json}, with any headers of its own) POSTing {@code body}. */
    static Request post(HttpRequest.Builder http, String body) {
      return new Request(http.POST(HttpRequest.BodyPublishers.ofString(body)).build(), body);
    }
  }

  /** The body with any credential it carries hidden (default: the body itself). */
  default String redact(String body) {
    return body;
  }
}
