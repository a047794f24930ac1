package dev.webshell.detector.notify.destination;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webshell.detector.serde.AlertJson;
import dev.webshell.detector.siem.AlertSummary;
import dev.webshell.schema.WebShellAlert;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A generic JSON webhook: {@code {"action":"trigger|update|resolve","dedup_key":alertId,
 * "revision":n,"status":"open|closed","summary":…,"alert":{the JSON form}}}. With a secret, each
 * request carries {@code X-Webhook-Timestamp} (Unix seconds) and {@code X-Webhook-Signature:
 * v1=<hex HMAC-SHA256 of "timestamp.body">}, so the receiver can check origin and freshness; {@code
 * X-Webhook-Id} ({@code alertId:revision:action}) lets it drop a redelivery.
 */
public final class SignedWebhook implements Destination {
  public static final String TIMESTAMP_HEADER = "X-Webhook-Timestamp";
  public static final String SIGNATURE_HEADER = "X-Webhook-Signature";
  public static final String ID_HEADER = "X-Webhook-Id";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI url;
  private final byte[] secret;
  private final Duration timeout;
  private final Clock clock;

  /**
   * @param secret the HMAC key, or null to send unsigned
   */
  public SignedWebhook(URI url, String secret, Duration timeout, Clock clock) {
    this.url = url;
    this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
    this.timeout = timeout;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public Request request(Notification n) {
    WebShellAlert a = n.alert();
    ObjectNode b = JSON.createObjectNode();
    b.put("action", n.action().label());
    b.put("dedup_key", a.getAlertId());
    b.put("revision", a.getRevision());
    b.put("status", a.getStatus());
    b.put("summary", AlertSummary.summary(a));
    try {
      b.set("alert", JSON.readTree(AlertJson.toJson(a)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String body = b.toString();
    HttpRequest.Builder http =
        Request.json(url, timeout)
            .header(ID_HEADER, a.getAlertId() + ":" + a.getRevision() + ":" + n.action().label());
    if (secret != null) {
      String timestamp = Long.toString(clock.instant().getEpochSecond());
      http.header(TIMESTAMP_HEADER, timestamp);
      http.header(SIGNATURE_HEADER, "v1=" + sign(secret, timestamp, body));
    }
    return Request.post(http, body);
  }

  /** Hex HMAC-SHA256 of {@code timestamp + "." + body} under {@code key}. */
  public static String sign(byte[] key, String timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) '.');
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
