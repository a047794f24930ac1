package dev.webshell.detector.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.notify.delivery.HttpSender;
import dev.webshell.detector.notify.delivery.Outcome;
import dev.webshell.detector.notify.destination.Action;
import dev.webshell.detector.notify.destination.Destination;
import dev.webshell.detector.notify.destination.Notification;
import dev.webshell.detector.notify.destination.Opsgenie;
import dev.webshell.detector.notify.destination.PagerDuty;
import dev.webshell.detector.notify.destination.SignedWebhook;
import dev.webshell.detector.notify.destination.Slack;
import dev.webshell.detector.siem.TestAlerts;
import dev.webshell.schema.Evidence;
import dev.webshell.schema.WebShellAlert;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every destination's requests, for every action, for an ordinary alert and for one at every bound
 * the detector allows (128 command lines of 32,768 characters, a long device name, markup and emoji
 * in the text), against a local server enforcing the service's published contract.
 */
class DestinationContractTest {
  static final String ROUTING_KEY = "R0ut1ngKey0123456789abcdefABCDEF";
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final HttpSender sender = new HttpSender(TIMEOUT, Clock.systemUTC());
  private final List<ContractServer> servers = new ArrayList<>();

  @AfterEach
  void close() {
    servers.forEach(ContractServer::close);
  }

  private <S extends ContractServer> S serve(S s) {
    servers.add(s);
    return s;
  }

  /** An alert at the detector's bounds. */
  static WebShellAlert huge(int revision, boolean closed) {
    List<String> lines = new ArrayList<>();
    List<Evidence> evidence = new ArrayList<>();
    for (int i = 0; i < 128; i++) {
      String line =
          "cmd.exe /c whoami <script>&amp; 🙂 \"%TEMP%\\x" + i + "\" ```" + "A".repeat(32_768 - 60);
      lines.add(line);
      evidence.add(TestAlerts.evidence(TestAlerts.FIRST, (long) i, line, "svc-" + i));
    }
    String device = "very-" + "long-".repeat(60) + "host.example.org";
    WebShellAlert.Builder b =
        (closed ? TestAlerts.closed(revision - 1) : TestAlerts.open(revision))
            .setDeviceName(device)
            .setHostName(device.substring(0, device.indexOf('.')))
            .setCommandLines(lines)
            .setCommandLineCount(4_000)
            .setTruncated(true)
            .setCommandLinesCut(true)
            .setEvidence(evidence)
            .setTactics(
                List.of(
                    "Execution",
                    "DefenseEvasion",
                    "Discovery",
                    "Persistence",
                    "PrivilegeEscalation",
                    "CommandAndControl",
                    "InitialAccess",
                    "CredentialAccess",
                    "LateralMovement",
                    "Collection",
                    "Exfiltration",
                    "Impact",
                    "ResourceDevelopment",
                    "Reconnaissance"))
            .setTechniques(
                List.of(
                    "T1059",
                    "T1574",
                    "T1087",
                    "T1082",
                    "T1505.003",
                    "T1016",
                    "T1033",
                    "T1049",
                    "T1057",
                    "T1069",
                    "T1018",
                    "T1105",
                    "T1140",
                    "T1027"));
    return b.build();
  }

  static List<Notification> lifecycle(
      WebShellAlert open1, WebShellAlert open2, WebShellAlert close) {
    return List.of(
        new Notification(Action.TRIGGER, open1),
        new Notification(Action.UPDATE, open2),
        new Notification(Action.RESOLVE, close));
  }

  private void assertAllAccepted(Destination d, ContractServer server) throws Exception {
    List<List<Notification>> cases =
        List.of(
            lifecycle(
                TestAlerts.open(1).build(),
                TestAlerts.open(2).build(),
                TestAlerts.closed(2).build()),
            lifecycle(huge(1, false), huge(2, false), huge(3, true)));
    for (List<Notification> c : cases) {
      for (Notification n : c) {
        Outcome o = sender.send(d.request(n));
        assertTrue(o.accepted(), n.describe() + ": " + o.describe() + " " + server.violations);
      }
    }
    assertEquals(List.of(), server.violations);
    assertEquals(6, server.accepted().size());
  }

  @Test
  void pagerDutyEventsShouldFollowTheEventsApiV2ContractAtEveryBound() throws Exception {
    PagerDutyServer pd = serve(new PagerDutyServer());
    PagerDuty d = new PagerDuty(pd.uri("/v2/enqueue"), ROUTING_KEY, TIMEOUT);
    assertAllAccepted(d, pd);
    JsonNode trigger = pd.accepted().get(0).json();
    assertEquals("trigger", trigger.get("event_action").asText());
    assertEquals(TestAlerts.ALERT_ID, trigger.get("dedup_key").asText());
    assertEquals("error", trigger.at("/payload/severity").asText(), "rule severity High");
    assertEquals("web-iis-03.telco.example", trigger.at("/payload/source").asText());
    assertEquals("cmd.exe", trigger.at("/payload/component").asText());
    assertEquals(2, trigger.at("/payload/custom_details/command_lines").size());
    assertEquals("trigger", pd.accepted().get(1).json().get("event_action").asText());
    JsonNode resolve = pd.accepted().get(2).json();
    assertEquals("resolve", resolve.get("event_action").asText());
    assertEquals(TestAlerts.ALERT_ID, resolve.get("dedup_key").asText());
    assertTrue(pd.accepted().get(3).json().at("/payload/summary").asText().length() <= 1024);
    assertEquals(
        50, pd.accepted().get(3).json().at("/payload/custom_details/command_lines").size());
    assertEquals(
        List.of("trigger", "trigger", "resolve", "trigger", "trigger", "resolve"),
        pd.actions(TestAlerts.ALERT_ID));
  }

  @Test
  void pagerDutyServerShouldRefuseWhatThePublishedContractRefuses() throws Exception {
    PagerDutyServer pd = serve(new PagerDutyServer());
    PagerDuty shortKey = new PagerDuty(pd.uri("/v2/enqueue"), "tooShort", TIMEOUT);
    Outcome o =
        sender.send(shortKey.request(new Notification(Action.TRIGGER, TestAlerts.open(1).build())));
    assertEquals(400, o.status());
    assertTrue(o.body().contains("routing_key"), o.body());
    assertTrue(!o.retryable());
  }

  @Test
  void opsgenieRequestsShouldFollowTheAlertApiContractAtEveryBound() throws Exception {
    OpsgenieServer og = serve(new OpsgenieServer("og-key-1"));
    Opsgenie d = new Opsgenie(og.uri(""), "og-key-1", TIMEOUT);
    assertAllAccepted(d, og);
    ContractServer.Exchange create = og.accepted().get(0);
    assertEquals("/v2/alerts", create.path());
    JsonNode b = create.json();
    assertEquals(TestAlerts.ALERT_ID, b.get("alias").asText());
    assertEquals("P2", b.get("priority").asText());
    assertTrue(b.get("message").asText().length() <= 130);
    assertEquals("/v2/alerts/" + TestAlerts.ALERT_ID + "/notes", og.accepted().get(1).path());
    assertEquals("identifierType=alias", og.accepted().get(1).query());
    assertEquals("/v2/alerts/" + TestAlerts.ALERT_ID + "/close", og.accepted().get(2).path());
    JsonNode hugeCreate = og.accepted().get(3).json();
    assertEquals(20, hugeCreate.get("tags").size());
    assertTrue(hugeCreate.get("description").asText().endsWith(" more"));
  }

  @Test
  void opsgenieServerShouldRefuseAWrongKey() throws Exception {
    OpsgenieServer og = serve(new OpsgenieServer("right"));
    Outcome o =
        sender.send(
            new Opsgenie(og.uri(""), "wrong", TIMEOUT)
                .request(new Notification(Action.TRIGGER, TestAlerts.open(1).build())));
    assertEquals(401, o.status());
  }

  @Test
  void slackMessagesShouldFollowTheIncomingWebhookAndBlockKitLimitsAtEveryBound() throws Exception {
    SlackServer slack = serve(new SlackServer());
    Slack d = new Slack(slack.uri(SlackServer.PATH), TIMEOUT);
    assertAllAccepted(d, slack);
    JsonNode first = slack.accepted().get(0).json();
    assertTrue(first.get("text").asText().contains("web-iis-03.telco.example"));
    assertTrue(
        first.at("/blocks/2/text/text").asText().contains("cmd.exe /c ipconfig /all"),
        first.toString());
    JsonNode huge = slack.accepted().get(3).json();
    assertTrue(huge.at("/blocks/2/text/text").asText().contains("&lt;script&gt;&amp;amp;"));
    assertTrue(
        slack.accepted().get(5).json().at("/blocks/0/text/text").asText().contains("Closed"));
  }

  @Test
  void slackServerShouldRefuseAMessageWithNeitherTextNorBlocks() throws Exception {
    SlackServer slack = serve(new SlackServer());
    var request =
        java.net.http.HttpRequest.newBuilder(slack.uri(SlackServer.PATH))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
            .build();
    Outcome o = sender.send(new Destination.Request(request, "{}"));
    assertEquals(400, o.status());
    assertEquals("no_text", o.body());
  }

  @Test
  void signedWebhookShouldCarryAVerifiableSignatureAndTheAlertsJsonForm() throws Exception {
    WebhookServer hook = serve(new WebhookServer("s3cret"));
    SignedWebhook d =
        new SignedWebhook(hook.uri("/hooks/detector"), "s3cret", TIMEOUT, Clock.systemUTC());
    assertAllAccepted(d, hook);
    ContractServer.Exchange first = hook.accepted().get(0);
    assertEquals(TestAlerts.ALERT_ID + ":1:trigger", first.header(SignedWebhook.ID_HEADER));
    JsonNode b = first.json();
    assertEquals("trigger", b.get("action").asText());
    assertEquals(TestAlerts.ALERT_ID, b.at("/alert/alertId").asText());
    assertEquals("closed", hook.accepted().get(2).json().get("status").asText());
  }

  @Test
  void webhookServerShouldRefuseAWrongSignature() throws Exception {
    WebhookServer hook = serve(new WebhookServer("right"));
    Outcome o =
        sender.send(
            new SignedWebhook(hook.uri("/hooks/detector"), "wrong", TIMEOUT, Clock.systemUTC())
                .request(new Notification(Action.TRIGGER, TestAlerts.open(1).build())));
    assertEquals(401, o.status());
  }
}
