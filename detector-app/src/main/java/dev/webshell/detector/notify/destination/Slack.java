package dev.webshell.detector.notify.destination;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webshell.detector.siem.AlertSummary;
import dev.webshell.schema.WebShellAlert;
import java.net.URI;
import java.time.Duration;

/**
 * A Slack incoming webhook: one message per notification (a webhook can neither edit nor thread),
 * opened, updated and closed ones told apart by their header. Block Kit limits kept: header 150
 * characters, section text 3,000, fallback text far below 40,000; text escaped for mrkdwn.
 */
public final class Slack implements Destination {
  static final int MAX_HEADER = 150;
  static final int MAX_SECTION = 3_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI webhook;
  private final Duration timeout;

  public Slack(URI webhook, Duration timeout) {
    this.webhook = webhook;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "slack";
  }

  @Override
  public Request request(Notification n) {
    return Request.post(Request.json(webhook, timeout), body(n).toString());
  }

  ObjectNode body(Notification n) {
    WebShellAlert a = n.alert();
    String prefix =
        switch (n.action()) {
          case TRIGGER -> ":rotating_light: ";
          case UPDATE -> ":arrows_counterclockwise: Updated: ";
          case RESOLVE -> ":white_check_mark: ";
        };
    String headline = prefix + AlertSummary.headline(a);
    ObjectNode m = JSON.createObjectNode();
    m.put("text", Texts.cut(headline, 1_000));
    ArrayNode blocks = m.putArray("blocks");
    ObjectNode header = blocks.addObject();
    header.put("type", "header");
    ObjectNode headerText = header.putObject("text");
    headerText.put("type", "plain_text");
    headerText.put("text", Texts.cut(headline, MAX_HEADER));
    headerText.put("emoji", true);
    section(blocks, escape(AlertSummary.summary(a)));
    String fence = "```";
    String lines =
        Texts.lines(
            a.getCommandLines().stream().map(Slack::escape).toList(),
            a.getCommandLineCount(),
            1_000,
            MAX_SECTION - 64);
    section(blocks, "*Command lines*\n" + fence + lines.replace(fence, "'''") + fence);
    ObjectNode context = blocks.addObject();
    context.put("type", "context");
    ObjectNode element = context.putArray("elements").addObject();
    element.put("type", "mrkdwn");
    element.put(
        "text",
        Texts.cut(
            escape(
                "alert "
                    + a.getAlertId()
                    + " · revision "
                    + a.getRevision()
                    + " · rule "
                    + a.getRuleId()
                    + " "
                    + a.getRuleVersion()
                    + " ("
                    + a.getProfile()
                    + ")"),
            MAX_SECTION));
    return m;
  }

  private static void section(ArrayNode blocks, String mrkdwn) {
    ObjectNode s = blocks.addObject();
    s.put("type", "section");
    ObjectNode t = s.putObject("text");
    t.put("type", "mrkdwn");
    t.put("text", Texts.cut(mrkdwn, MAX_SECTION));
  }

  /** Slack's mrkdwn control characters: &amp;, &lt;, &gt;. */
  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
