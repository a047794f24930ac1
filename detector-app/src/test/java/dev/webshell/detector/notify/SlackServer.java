package dev.webshell.detector.notify;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Slack incoming webhook as documented (docs.slack.dev: incoming webhooks, Block Kit limits, the
 * webhook error strings): {@code POST} of JSON; a message needs {@code text} or {@code blocks} (400
 * {@code no_text}); at most 50 blocks; a header's text is plain_text of at most 150 characters; a
 * section's text at most 3,000; a context at most 10 elements; otherwise 400 {@code
 * invalid_blocks}; malformed JSON 400 {@code invalid_payload}; success 200 {@code ok}.
 */
final class SlackServer extends ContractServer {
  static final String PATH = "/services/T000/B000/XXXXXXXX";

  @Override
  Answer check(Exchange r) {
    if (!r.method().equals("POST") || !r.path().equals(PATH)) {
      return Answer.of(404, "no_service");
    }
    JsonNode m;
    try {
      m = r.json();
    } catch (RuntimeException x) {
      return Answer.of(400, "invalid_payload");
    }
    String text = text(m, "text");
    JsonNode blocks = m.get("blocks");
    if ((text == null || text.isBlank()) && (blocks == null || blocks.isEmpty())) {
      return Answer.of(400, "no_text");
    }
    if (text != null && text.length() > 40_000) {
      return Answer.of(400, "msg_too_long");
    }
    if (blocks != null) {
      if (!blocks.isArray() || blocks.size() > 50) {
        return Answer.of(400, "invalid_blocks");
      }
      for (JsonNode b : blocks) {
        if (!validBlock(b)) {
          return Answer.of(400, "invalid_blocks");
        }
      }
    }
    return null;
  }

  private static boolean validBlock(JsonNode b) {
    String type = text(b, "type");
    JsonNode t = b.get("text");
    if ("header".equals(type)) {
      return t != null
          && "plain_text".equals(text(t, "type"))
          && text(t, "text") != null
          && text(t, "text").length() <= 150;
    }
    if ("section".equals(type)) {
      return t != null
          && ("mrkdwn".equals(text(t, "type")) || "plain_text".equals(text(t, "type")))
          && text(t, "text") != null
          && !text(t, "text").isEmpty()
          && text(t, "text").length() <= 3000;
    }
    if ("context".equals(type)) {
      JsonNode elements = b.get("elements");
      if (elements == null || !elements.isArray() || elements.isEmpty() || elements.size() > 10) {
        return false;
      }
      for (JsonNode e : elements) {
        if (text(e, "text") == null || text(e, "text").length() > 3000) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  @Override
  Answer accept(Exchange r) {
    return Answer.of(200, "ok");
  }
}
