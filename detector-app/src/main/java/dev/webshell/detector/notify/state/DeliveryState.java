package dev.webshell.detector.notify.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where one alert's incident stands at one destination.
 *
 * @param phase OPEN until the close begins; CLOSING is written <em>before</em> the resolve is sent,
 *     CLOSED after it was accepted: once CLOSING is stored, no trigger or update of that alert is
 *     ever sent again, whatever is re-read after a crash
 * @param revision the newest revision dealt with (sent, or refused and dead-lettered)
 * @param opened whether a trigger was accepted (else the next revision triggers)
 * @param sentAtMillis wall time of the last trigger or update sent (for the update interval)
 * @param closedAtMillis wall time the close began (for pruning), 0 while open
 */
public record DeliveryState(
    Phase phase, int revision, boolean opened, long sentAtMillis, long closedAtMillis) {

  public enum Phase {
    OPEN,
    CLOSING,
    CLOSED
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The later of two states of the same alert (phases only move forward, then revisions). */
  public static DeliveryState newer(DeliveryState a, DeliveryState b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    int c = a.phase.compareTo(b.phase);
    if (c == 0) {
      c = Integer.compare(a.revision, b.revision);
    }
    if (c == 0) {
      c = Boolean.compare(a.opened, b.opened);
    }
    if (c == 0) {
      c = Long.compare(a.sentAtMillis, b.sentAtMillis);
    }
    return c >= 0 ? a : b;
  }

  public byte[] toBytes() {
    ObjectNode o = JSON.createObjectNode();
    o.put("phase", phase.name().toLowerCase(Locale.ROOT));
    o.put("revision", revision);
    o.put("opened", opened);
    o.put("sentAt", sentAtMillis);
    o.put("closedAt", closedAtMillis);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The stored form; null for bytes that are not one (never written by notify). */
  public static DeliveryState fromBytes(byte[] bytes) {
    try {
      JsonNode o = JSON.readTree(bytes);
      return new DeliveryState(
          Phase.valueOf(o.get("phase").asText().toUpperCase(Locale.ROOT)),
          o.get("revision").asInt(),
          o.get("opened").asBoolean(),
          o.get("sentAt").asLong(),
          o.get("closedAt").asLong());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
