package dev.webshell.detector.cli;

import dev.webshell.detector.hunt.TimeSpecs;
import dev.webshell.detector.notify.NotifyService;
import dev.webshell.detector.notify.delivery.RateLimit;
import dev.webshell.detector.notify.delivery.RetryPolicy;
import dev.webshell.detector.notify.destination.Opsgenie;
import dev.webshell.detector.notify.destination.PagerDuty;
import dev.webshell.detector.notify.destination.SignedWebhook;
import dev.webshell.detector.notify.destination.Slack;
import dev.webshell.detector.ops.logging.LogFormat;
import dev.webshell.detector.ops.logging.Logging;
import dev.webshell.detector.service.StartupException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "notify",
    description = {
      "Page on-call from the alerts topic: PagerDuty (Events API v2), Opsgenie, a Slack incoming"
          + " webhook and/or a generic HMAC-signed webhook, with its own consumer group.",
      "One incident per alert (dedup key = alertId): revision 1 triggers, later revisions update"
          + " it at most once per --update-interval, the closing revision resolves it. Offsets are"
          + " committed only once every destination accepted (2xx) or refused (4xx, written to"
          + " the dead-letter topic); 429, 5xx and connection errors are retried with backoff."
          + " See docs/notify.md.",
      "Every option can also come from DETECTOR_<OPTION> or --config FILE, as for run.",
      "Exit codes: 0 after SIGTERM, 1 on a start-up check or fatal error, 2 on a usage error."
    },
    mixinStandardHelpOptions = true,
    sortOptions = false)
public final class NotifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ConfigFileOption config;

  @Mixin KafkaOptions kafka;

  @Option(
      names = "--alerts-topic",
      defaultValue = "alerts",
      description = "The detector's alert topic, JSON or Avro alerts (default: ${DEFAULT-VALUE}).")
  String alertsTopic;

  @Option(
      names = "--application-id",
      defaultValue = "web-shell-detector-notify",
      description = "Consumer group and client id (default: ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(
      names = "--state-topic",
      paramLabel = "TOPIC",
      description =
          "Compacted topic of delivery states, created when missing (default:"
              + " <application-id>-state).")
  String stateTopic;

  @Option(
      names = "--dlq-topic",
      defaultValue = "alerts.notify-dead-letters",
      description =
          "Notifications a service refused (4xx) and unreadable alert records (default:"
              + " ${DEFAULT-VALUE}).")
  String dlqTopic;

  @Option(names = "--create-topics", description = "Create the dead-letter topic when missing.")
  boolean createTopics;

  @Option(
      names = "--partitions",
      defaultValue = "1",
      description = "Partitions of a created dead-letter topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--replication-factor",
      defaultValue = "-1",
      description =
          "Replication of created topics; -1 = the broker's default (default: ${DEFAULT-VALUE}).")
  short replicationFactor;

  @Option(
      names = "--update-interval",
      defaultValue = "15m",
      paramLabel = "DURATION",
      description =
          "At most one update per alert and destination in this time; the latest revision wins"
              + " (default: ${DEFAULT-VALUE}).")
  String updateInterval;

  @Option(
      names = "--pagerduty-routing-key-file",
      paramLabel = "FILE",
      description = "File holding the 32-character Events API v2 integration (routing) key.")
  Path pagerdutyKeyFile;

  @Option(
      names = "--pagerduty-url",
      defaultValue = PagerDuty.DEFAULT_URL,
      description = "Events API v2 endpoint (default: ${DEFAULT-VALUE}).")
  URI pagerdutyUrl;

  @Option(
      names = "--pagerduty-rate",
      defaultValue = "120/1m",
      paramLabel = "N/DURATION",
      description =
          "At most N events in any DURATION (PagerDuty accepts about 120 a minute per key)"
              + " (default: ${DEFAULT-VALUE}).")
  String pagerdutyRate;

  @Option(
      names = "--opsgenie-api-key-file",
      paramLabel = "FILE",
      description = "File holding an Opsgenie API integration key.")
  Path opsgenieKeyFile;

  @Option(
      names = "--opsgenie-url",
      defaultValue = Opsgenie.DEFAULT_URL,
      description =
          "Opsgenie API root; EU accounts: https://api.eu.opsgenie.com (default:"
              + " ${DEFAULT-VALUE}).")
  URI opsgenieUrl;

  @Option(
      names = "--opsgenie-rate",
      defaultValue = "60/1m",
      paramLabel = "N/DURATION",
      description = "Request limit; set your plan's (default: ${DEFAULT-VALUE}).")
  String opsgenieRate;

  @Option(
      names = "--slack-webhook-url-file",
      paramLabel = "FILE",
      description = "File holding a Slack incoming-webhook URL (it is a secret).")
  Path slackUrlFile;

  @Option(
      names = "--slack-rate",
      defaultValue = "1/1s",
      paramLabel = "N/DURATION",
      description =
          "Slack accepts about one message a second per webhook (default: ${DEFAULT-VALUE}).")
  String slackRate;

  @Option(
      names = "--webhook-url",
      paramLabel = "URL",
      description = "A generic webhook: JSON body, signed when --webhook-secret-file is given.")
  URI webhookUrl;

  @Option(
      names = "--webhook-secret-file",
      paramLabel = "FILE",
      description = "File holding the HMAC-SHA256 key of the X-Webhook-Signature header.")
  Path webhookSecretFile;

  @Option(
      names = "--webhook-rate",
      defaultValue = "none",
      paramLabel = "N/DURATION",
      description = "Request limit of the generic webhook (default: ${DEFAULT-VALUE}).")
  String webhookRate;

  @Option(
      names = "--http-timeout",
      defaultValue = "10s",
      paramLabel = "DURATION",
      description = "Connect and response timeout of each request (default: ${DEFAULT-VALUE}).")
  String httpTimeout;

  @Option(
      names = "--retry-initial-backoff",
      defaultValue = "1s",
      paramLabel = "DURATION",
      description = "First wait after a 429, 5xx or connection error (default: ${DEFAULT-VALUE}).")
  String retryInitial;

  @Option(
      names = "--retry-max-backoff",
      defaultValue = "5m",
      paramLabel = "DURATION",
      description =
          "Longest wait between attempts; a Retry-After asking more is honoured (default:"
              + " ${DEFAULT-VALUE}).")
  String retryMax;

  @Mixin RegistryOptions registry;

  @Option(
      names = "--metrics-port",
      defaultValue = "9465",
      description =
          "Port of GET /metrics, /health/live, /health/ready; -1 turns it off (default:"
              + " ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(
      names = "--log-format",
      defaultValue = "human",
      description = "human or json, on stderr (default: ${DEFAULT-VALUE}).")
  String logFormat;

  @Override
  public Integer call() {
    var cl = spec.commandLine();
    try {
      Logging.useFormat(LogFormat.parse(logFormat));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cl, e.getMessage());
    }
    Duration timeout = duration("--http-timeout", httpTimeout);
    Duration interval = duration("--update-interval", updateInterval);
    RetryPolicy retry;
    try {
      retry =
          new RetryPolicy(
              duration("--retry-initial-backoff", retryInitial),
              duration("--retry-max-backoff", retryMax),
              () -> ThreadLocalRandom.current().nextDouble());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cl, "--retry-*-backoff: " + e.getMessage());
    }
    if (webhookSecretFile != null && webhookUrl == null) {
      throw new ParameterException(cl, "--webhook-secret-file needs --webhook-url");
    }
    List<NotifyService.Target> targets = new ArrayList<>();
    if (pagerdutyKeyFile != null) {
      String key = Secrets.read(pagerdutyKeyFile);
      if (!key.matches("[A-Za-z0-9]{32}")) {
        throw new StartupException(
            "the PagerDuty routing key in "
                + pagerdutyKeyFile
                + " is not 32 letters and digits (an Events API v2 integration key)");
      }
      targets.add(
          new NotifyService.Target(
              new PagerDuty(pagerdutyUrl, key, timeout), rate("--pagerduty-rate", pagerdutyRate)));
    }
    if (opsgenieKeyFile != null) {
      String key = Secrets.read(opsgenieKeyFile);
      if (key.isEmpty()) {
        throw new StartupException("the Opsgenie API key file " + opsgenieKeyFile + " is empty");
      }
      targets.add(
          new NotifyService.Target(
              new Opsgenie(opsgenieUrl, key, timeout), rate("--opsgenie-rate", opsgenieRate)));
    }
    if (slackUrlFile != null) {
      URI url = uri(Secrets.read(slackUrlFile), "--slack-webhook-url-file " + slackUrlFile);
      targets.add(
          new NotifyService.Target(new Slack(url, timeout), rate("--slack-rate", slackRate)));
    }
    if (webhookUrl != null) {
      uri(webhookUrl.toString(), "--webhook-url");
      String secret = webhookSecretFile == null ? null : Secrets.read(webhookSecretFile);
      targets.add(
          new NotifyService.Target(
              new SignedWebhook(webhookUrl, secret, timeout, Clock.systemUTC()),
              rate("--webhook-rate", webhookRate)));
    }
    if (targets.isEmpty()) {
      throw new ParameterException(
          cl,
          "no destination: give --pagerduty-routing-key-file, --opsgenie-api-key-file,"
              + " --slack-webhook-url-file and/or --webhook-url");
    }
    NotifyService.Settings settings =
        new NotifyService.Settings(
            kafka.clientConfig(),
            alertsTopic,
            applicationId,
            stateTopic != null ? stateTopic : applicationId + "-state",
            dlqTopic,
            createTopics,
            partitions,
            replicationFactor,
            registry.config(kafka, config),
            targets,
            interval,
            retry,
            timeout,
            metricsPort);
    return new NotifyService(settings).run();
  }

  private Duration duration(String option, String value) {
    try {
      return TimeSpecs.duration(value);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
  }

  private RateLimit rate(String option, String value) {
    try {
      return RateLimit.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
  }

  /** An http(s) URL; the message names where it came from, never the URL (it may be secret). */
  private static URI uri(String text, String from) {
    try {
      URI u = new URI(text.trim());
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("https") || scheme.equals("http")) || u.getHost() == null) {
        throw new StartupException(from + ": not an http(s) URL");
      }
      return u;
    } catch (java.net.URISyntaxException e) {
      throw new StartupException(from + ": not a URL");
    }
  }
}
