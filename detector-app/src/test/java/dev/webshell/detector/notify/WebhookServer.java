package dev.webshell.detector.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.notify.destination.SignedWebhook;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Set;

/**
 * A receiver of the generic webhook that checks what docs/notify.md promises: a JSON body with
 * action, dedup_key, revision, status, summary and alert; X-Webhook-Id; and, with a secret, a fresh
 * X-Webhook-Timestamp (within 5 minutes) and X-Webhook-Signature {@code v1=} hex HMAC-SHA256 of
 * "timestamp.body" (401 otherwise). Success: 204.
 */
final class WebhookServer extends ContractServer {
  private final byte[] secret;

  WebhookServer(String secret) {
    this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  Answer check(Exchange r) {
    if (!r.method().equals("POST") || !r.path().equals("/hooks/detector")) {
      return Answer.of(404, "{}");
    }
    if (secret != null) {
      String ts = r.header(SignedWebhook.TIMESTAMP_HEADER);
      String sig = r.header(SignedWebhook.SIGNATURE_HEADER);
      if (ts == null || sig == null) {
        return Answer.of(401, "{\"error\":\"unsigned\"}");
      }
      long age = Math.abs(Instant.now().getEpochSecond() - Long.parseLong(ts));
      if (age > 300) {
        return Answer.of(401, "{\"error\":\"stale timestamp\"}");
      }
      String expected = "v1=" + SignedWebhook.sign(secret, ts, r.body());
      if (!MessageDigest.isEqual(
          expected.getBytes(StandardCharsets.UTF_8), sig.getBytes(StandardCharsets.UTF_8))) {
        return Answer.of(401, "{\"error\":\"bad signature\"}");
      }
    }
    if (r.header(SignedWebhook.ID_HEADER) == null) {
      return Answer.of(400, "{\"error\":\"no delivery id\"}");
    }
    JsonNode b;
    try {
      b = r.json();
    } catch (RuntimeException x) {
      return Answer.of(400, "{\"error\":\"invalid JSON\"}");
    }
    if (!Set.of("trigger", "update", "resolve").contains(text(b, "action"))
        || text(b, "dedup_key") == null
        || !b.path("revision").isInt()
        || !Set.of("open", "closed").contains(text(b, "status"))
        || text(b, "summary") == null
        || !b.path("alert").isObject()) {
      return Answer.of(400, "{\"error\":\"missing fields\"}");
    }
    return null;
  }

  @Override
  Answer accept(Exchange r) {
    return Answer.of(204, "");
  }
}
