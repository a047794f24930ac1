package dev.webshell.detector.notify.destination;

import java.net.http.HttpRequest;

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
  record Request(HttpRequest http, String body) {}

  /** The body with any credential it carries hidden (default: the body itself). */
  default String redact(String body) {
    return body;
  }
}
