package dev.webshell.detector.notify.delivery;

import java.time.Duration;
import java.util.Optional;

/**
 * What one HTTP attempt came to: an answer ({@code status} with up to 4 KB of its body and its
 * {@code Retry-After}) or, with status 0, a connection error or timeout ({@code error}).
 */
public record Outcome(int status, String body, Optional<Duration> retryAfter, String error) {
  public boolean accepted() {
    return status >= 200 && status < 300;
  }

  /** 429, 408, 5xx and connection errors: worth another attempt. */
  public boolean retryable() {
    return status == 0 || status == 408 || status == 429 || status >= 500;
  }

  /** The metric label of a failed attempt: {@code 429}, {@code 5xx}, {@code connection}. */
  public String reason() {
    if (status == 0) {
      return "connection";
    }
    return status >= 500 ? "5xx" : Integer.toString(status);
  }

  public String describe() {
    return status == 0 ? error : "HTTP " + status + (body.isEmpty() ? "" : ": " + body);
  }
}
