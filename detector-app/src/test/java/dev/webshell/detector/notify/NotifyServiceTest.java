package dev.webshell.detector.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webshell.detector.notify.delivery.NotificationDeadLetters;
import dev.webshell.detector.notify.delivery.RateLimit;
import dev.webshell.detector.notify.delivery.RetryPolicy;
import dev.webshell.detector.notify.destination.Opsgenie;
import dev.webshell.detector.notify.destination.PagerDuty;
import dev.webshell.detector.notify.destination.SignedWebhook;
import dev.webshell.detector.notify.destination.Slack;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.MockSchemaRegistryClient;
import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryClients;
import dev.webshell.detector.serde.AlertJson;
import dev.webshell.detector.siem.OcsfDetectionFinding;
import dev.webshell.detector.siem.TestAlerts;
import dev.webshell.schema.WebShellAlert;
import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/** notify in-process on a real broker, against local servers that keep each service's contract. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NotifyServiceTest {
  static final String ROUTING_KEY = DestinationContractTest.ROUTING_KEY;
  static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);
  @AutoClose static EmbeddedKafkaCluster kafka;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private String topic;
  private String app;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaCluster.start(1);
  }

  @org.junit.jupiter.api.BeforeEach
  void names(TestInfo info) {
    String name = info.getTestMethod().orElseThrow().getName();
    topic = "alerts-" + Integer.toHexString(name.hashCode());
    app = "notify-" + Integer.toHexString(name.hashCode());
    kafka.createTopic(topic, 2, (short) 1);
  }

  @AfterEach
  void close() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    toClose.add(c);
    return c;
  }

  static WebShellAlert alert(String id, int revision) {
    return TestAlerts.open(revision).setAlertId(id).setDeviceId("dev-" + id).build();
  }

  static WebShellAlert closed(String id, int revision) {
    return TestAlerts.closed(revision - 1).setAlertId(id).setDeviceId("dev-" + id).build();
  }

  static byte[] json(WebShellAlert a) {
    return AlertJson.toJson(a).getBytes(StandardCharsets.UTF_8);
  }

  /** Produces alert records keyed by DeviceId, as the detector does. */
  void produce(WebShellAlert... alerts) {
    produceRaw(
        java.util.Arrays.stream(alerts).map(a -> Map.entry(a.getDeviceId(), json(a))).toList());
  }

  void produceRaw(List<Map.Entry<String, byte[]>> records) {
    Map<String, Object> c = new HashMap<>(kafka.clientConfig());
    c.put("acks", "all");
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(c, new StringSerializer(), new ByteArraySerializer())) {
      for (Map.Entry<String, byte[]> r : records) {
        p.send(new ProducerRecord<>(topic, r.getKey(), r.getValue()));
      }
      p.flush();
    }
  }

  NotifyService.Settings settings(
      Duration interval, RegistryConfig registry, NotifyService.Target... targets) {
    return new NotifyService.Settings(
        new HashMap<>(kafka.clientConfig()),
        topic,
        app,
        app + "-state",
        app + ".dead-letters",
        true,
        1,
        (short) 1,
        registry,
        List.of(targets),
        interval,
        new RetryPolicy(Duration.ofMillis(200), Duration.ofSeconds(2), () -> 0.5),
        HTTP_TIMEOUT,
        0);
  }

  NotifyService.Running start(NotifyService.Settings s) {
    return closing(new NotifyService(s, Clock.systemUTC()).start());
  }

  static NotifyService.Target pagerDuty(PagerDutyServer pd) {
    return new NotifyService.Target(
        new PagerDuty(pd.uri("/v2/enqueue"), ROUTING_KEY, HTTP_TIMEOUT), RateLimit.NONE);
  }

  static void await(Duration timeout, BooleanSupplier done, Supplier<String> what) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting: " + what.get());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** The group's committed offsets, summed over partitions (-1 when none). */
  long committed() throws Exception {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      Map<TopicPartition, OffsetAndMetadata> m =
          admin
              .listConsumerGroupOffsets(app)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      if (m.isEmpty()) {
        return -1;
      }
      long sum = 0;
      for (OffsetAndMetadata o : m.values()) {
        sum += o == null ? 0 : o.offset();
      }
      return sum;
    }
  }

  /** Every record of the notification dead-letter topic. */
  List<ConsumerRecord<byte[], byte[]>> deadLetters(int expected) {
    Map<String, Object> c = new HashMap<>(kafka.clientConfig());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + System.nanoTime());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(app + ".dead-letters"));
      long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (out.size() < expected && System.nanoTime() < end) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      consumer.poll(Duration.ofMillis(500)).forEach(out::add);
    }
    return out;
  }

  static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    var h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  static double counter(NotifyService.Running running, String name, String... tags) {
    var search = running.meters().find(name).tags(tags);
    return search.counter() == null ? 0 : search.counter().count();
  }

  @Test
  void shouldTriggerOnceHoldUpdatesForTheIntervalSendingTheLatestAndResolveOnTheClose()
      throws Exception {
    PagerDutyServer pd = closing(new PagerDutyServer());
    start(settings(Duration.ofSeconds(3), null, pagerDuty(pd)));
    produce(alert("a", 1));
    await(Duration.ofSeconds(30), () -> pd.actions("a").size() == 1, pd.exchanges::toString);
    long triggered = System.nanoTime();
    produce(alert("a", 2), alert("a", 3));
    await(Duration.ofSeconds(30), () -> pd.actions("a").size() == 2, pd.exchanges::toString);
    long updated = System.nanoTime();
    assertTrue(
        Duration.ofNanos(updated - triggered).toMillis() >= 2_900,
        "the update waited for the interval: " + Duration.ofNanos(updated - triggered));
    JsonNode update = pd.accepted().get(1).json();
    assertEquals(3, update.at("/payload/custom_details/revision").asInt(), "the latest revision");
    Thread.sleep(3_500);
    assertEquals(2, pd.actions("a").size(), "one update for revisions 2 and 3");
    produce(closed("a", 4));
    await(Duration.ofSeconds(30), () -> pd.actions("a").size() == 3, pd.exchanges::toString);
    assertEquals(List.of("trigger", "trigger", "resolve"), pd.actions("a"));
    assertEquals(1, pd.opened.get("a").get());
    assertEquals(List.of(), pd.violations);
    await(
        Duration.ofSeconds(10),
        () -> committedQuietly() == 4,
        () -> "committed " + committedQuietly());
  }

  long committedQuietly() {
    try {
      return committed();
    } catch (Exception e) {
      return -2;
    }
  }

  @Test
  void shouldDropHeldUpdatesWhenTheAlertClosesAndNeverTriggerAClosedAlertAgain() throws Exception {
    PagerDutyServer pd = closing(new PagerDutyServer());
    NotifyService.Running running = start(settings(Duration.ofHours(1), null, pagerDuty(pd)));
    produce(alert("b", 1), alert("b", 2), alert("b", 3), closed("b", 4), alert("b", 2));
    await(Duration.ofSeconds(30), () -> pd.actions("b").size() == 2, pd.exchanges::toString);
    await(
        Duration.ofSeconds(10),
        () -> committedQuietly() == 5,
        () -> "committed " + committedQuietly());
    assertEquals(List.of("trigger", "resolve"), pd.actions("b"));
    assertEquals(
        2.0,
        counter(running, "notify.skipped", "destination", "pagerduty", "reason", "superseded"));
    assertEquals(
        1.0,
        counter(running, "notify.skipped", "destination", "pagerduty", "reason", "after-resolve"));
  }

  @Test
  void shouldRetry429HonouringRetryAfterAnd500AndCommitOnlyOnceAccepted() throws Exception {
    PagerDutyServer pd = closing(new PagerDutyServer());
    pd.failNext(2, 429, "2");
    pd.failNext(1, 500, null);
    NotifyService.Running running = start(settings(Duration.ZERO, null, pagerDuty(pd)));
    produce(alert("c", 1));
    await(Duration.ofSeconds(30), () -> pd.exchanges.size() >= 1, pd.exchanges::toString);
    assertTrue(committed() <= 0, "nothing committed while the service refuses: " + committed());
    await(Duration.ofSeconds(30), () -> pd.accepted().size() == 1, pd.exchanges::toString);
    List<ContractServer.Exchange> all = pd.exchanges;
    assertEquals(
        List.of(429, 429, 500, 202), all.stream().map(ContractServer.Exchange::status).toList());
    long firstWait = all.get(1).atNanos() - all.get(0).atNanos();
    long secondWait = all.get(2).atNanos() - all.get(1).atNanos();
    assertTrue(firstWait >= 1_900_000_000L, "Retry-After: 2 honoured: " + firstWait);
    assertTrue(secondWait >= 1_900_000_000L, "Retry-After: 2 honoured: " + secondWait);
    await(
        Duration.ofSeconds(10),
        () -> committedQuietly() == 1,
        () -> "committed " + committedQuietly());
    assertEquals(
        2.0, counter(running, "notify.retries", "destination", "pagerduty", "reason", "429"));
    assertEquals(
        1.0, counter(running, "notify.retries", "destination", "pagerduty", "reason", "5xx"));
    assertEquals(
        1.0, counter(running, "notify.sent", "destination", "pagerduty", "action", "trigger"));
  }

  @Test
  void shouldWriteARefusedNotificationToTheDeadLettersWithTheResponseAndGoOn() throws Exception {
    PagerDutyServer pd = closing(new PagerDutyServer());
    pd.refuseWhen(
        x -> x.body().contains("\"dedup_key\":\"refused\""),
        400,
        "{\"status\":\"invalid event\",\"errors\":[\"nope\"]}");
    NotifyService.Running running = start(settings(Duration.ZERO, null, pagerDuty(pd)));
    produce(alert("refused", 1), alert("fine", 1));
    await(Duration.ofSeconds(30), () -> pd.actions("fine").size() == 1, pd.exchanges::toString);
    List<ConsumerRecord<byte[], byte[]>> dl = deadLetters(1);
    assertEquals(1, dl.size());
    ConsumerRecord<byte[], byte[]> r = dl.get(0);
    assertEquals("refused", header(r, NotificationDeadLetters.REASON));
    assertEquals("pagerduty", header(r, NotificationDeadLetters.DESTINATION));
    assertEquals("trigger", header(r, NotificationDeadLetters.ACTION));
    assertEquals("400", header(r, NotificationDeadLetters.STATUS));
    assertTrue(header(r, NotificationDeadLetters.RESPONSE).contains("nope"));
    assertTrue(header(r, NotificationDeadLetters.REQUEST).contains("\"routing_key\":\"[hidden]\""));
    assertFalse(header(r, NotificationDeadLetters.REQUEST).contains(ROUTING_KEY));
    assertEquals(topic, header(r, NotificationDeadLetters.SOURCE_TOPIC));
    assertEquals(
        AlertJson.toJson(alert("refused", 1)), new String(r.value(), StandardCharsets.UTF_8));
    await(
        Duration.ofSeconds(10),
        () -> committedQuietly() == 2,
        () -> "committed " + committedQuietly());
    assertEquals(
        1.0, counter(running, "notify.failed", "destination", "pagerduty", "status", "400"));
  }

  @Test
  void shouldNeverPageAgainWhenRestartedFromTheBeginningOfTheTopic() throws Exception {
    PagerDutyServer pd = closing(new PagerDutyServer());
    NotifyService.Settings s = settings(Duration.ZERO, null, pagerDuty(pd));
    NotifyService.Running first = start(s);
    produce(alert("d", 1), alert("d", 2), closed("d", 3), alert("e", 1));
    await(Duration.ofSeconds(30), () -> pd.accepted().size() == 4, pd.exchanges::toString);
    await(
        Duration.ofSeconds(10),
        () -> committedQuietly() == 4,
        () -> "committed " + committedQuietly());
    assertTrue(first.closeWithin(Duration.ofSeconds(30)));
    // offsets lost (expired, or reset by hand): everything is read again
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      Map<TopicPartition, OffsetAndMetadata> zero = new HashMap<>();
      for (int p = 0; p < 2; p++) {
        zero.put(new TopicPartition(topic, p), new OffsetAndMetadata(0));
      }
      admin.alterConsumerGroupOffsets(app, zero).all().get(10, TimeUnit.SECONDS);
    }
    assertEquals(0, committed());
    NotifyService.Running second = start(s);
    produce(alert("e", 2));
    await(Duration.ofSeconds(30), () -> pd.accepted().size() == 5, pd.exchanges::toString);
    await(
        Duration.ofSeconds(10),
        () -> committedQuietly() == 5,
        () -> "committed " + committedQuietly());
    assertEquals(List.of("trigger", "trigger", "resolve"), pd.actions("d"));
    assertEquals(List.of("trigger", "trigger"), pd.actions("e"));
    assertEquals(Map.of(), pd.reopenedAfterResolve);
    assertEquals(
        4.0,
        counter(second, "notify.skipped", "destination", "pagerduty", "reason", "after-resolve")
            + counter(second, "notify.skipped", "destination", "pagerduty", "reason", "delivered"));
  }

  @Test
  void shouldReadJsonAndAvroAlertsOnOneTopicAndDeadLetterWhatItCannotRead() throws Exception {
    String scope = "notify-avro-" + System.nanoTime();
    RegistryConfig registryConfig = RegistryConfig.of("mock://" + scope);
    try (SchemaRegistryClient registry = SchemaRegistryClients.create(registryConfig)) {
      PagerDutyServer pd = closing(new PagerDutyServer());
      NotifyService.Running running = start(settings(Duration.ZERO, registryConfig, pagerDuty(pd)));
      WebShellAlert avro = alert("avro", 1);
      produceRaw(
          List.of(
              Map.entry("dev-json", json(alert("json", 1))),
              Map.entry(
                  "dev-avro",
                  ConfluentAvroSerializer.<WebShellAlert>forValues(registry)
                      .serialize(topic, avro)),
              Map.entry("dev-x", "not an alert".getBytes(StandardCharsets.UTF_8)),
              Map.entry("dev-y", OcsfDetectionFinding.toBytes(alert("ocsf", 1)))));
      await(
          Duration.ofSeconds(30),
          () -> pd.actions("json").size() == 1 && pd.actions("avro").size() == 1,
          pd.exchanges::toString);
      List<ConsumerRecord<byte[], byte[]>> dl = deadLetters(2);
      assertEquals(
          List.of("siem-format", "unknown-format"),
          dl.stream().map(r -> header(r, NotificationDeadLetters.REASON)).sorted().toList());
      await(
          Duration.ofSeconds(10),
          () -> committedQuietly() == 4,
          () -> "committed " + committedQuietly());
      assertEquals(1.0, counter(running, "notify.unreadable", "reason", "unknown-format"));
    } finally {
      MockSchemaRegistryClient.dropScope(scope);
    }
  }

  @Test
  void shouldPageEveryDestinationKeepingSlacksRateAndServeHealthAndMetrics() throws Exception {
    PagerDutyServer pd = closing(new PagerDutyServer());
    OpsgenieServer og = closing(new OpsgenieServer("og"));
    SlackServer slack = closing(new SlackServer());
    WebhookServer hook = closing(new WebhookServer("hmac-key"));
    NotifyService.Running running =
        start(
            settings(
                Duration.ZERO,
                null,
                pagerDuty(pd),
                new NotifyService.Target(
                    new Opsgenie(og.uri(""), "og", HTTP_TIMEOUT), RateLimit.NONE),
                new NotifyService.Target(
                    new Slack(slack.uri(SlackServer.PATH), HTTP_TIMEOUT), RateLimit.parse("1/1s")),
                new NotifyService.Target(
                    new SignedWebhook(
                        hook.uri("/hooks/detector"), "hmac-key", HTTP_TIMEOUT, Clock.systemUTC()),
                    RateLimit.NONE)));
    produce(alert("f", 1), alert("g", 1), alert("h", 1), closed("f", 2));
    await(
        Duration.ofSeconds(30),
        () ->
            pd.accepted().size() == 4
                && og.accepted().size() == 4
                && slack.accepted().size() == 4
                && hook.accepted().size() == 4,
        () ->
            pd.exchanges.size()
                + " "
                + og.exchanges.size()
                + " "
                + slack.exchanges.size()
                + " "
                + hook.exchanges.size());
    for (ContractServer s : List.of(pd, og, slack, hook)) {
      assertEquals(List.of(), s.violations);
    }
    List<ContractServer.Exchange> messages = slack.accepted();
    for (int i = 1; i < messages.size(); i++) {
      long gap = messages.get(i).atNanos() - messages.get(i - 1).atNanos();
      assertTrue(gap >= 950_000_000L, "Slack: one message a second, gap " + gap);
    }
    assertTrue(og.accepted().stream().anyMatch(x -> x.path().endsWith("/close")));
    await(
        Duration.ofSeconds(10),
        () -> committedQuietly() == 4,
        () -> "committed " + committedQuietly());
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> ready =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + running.opsPort() + "/health/ready"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ready.statusCode(), ready.body());
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.opsPort() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertTrue(
        metrics.body().contains("notify_sent_total{action=\"resolve\",destination=\"slack\"} 1.0"),
        metrics.body());
    assertTrue(metrics.body().contains("notify_lag_records"), metrics.body());
  }

  @Test
  void shouldHandPartitionsToAnotherInstanceWithoutLosingOrRepagingAnything() throws Exception {
    PagerDutyServer pd = closing(new PagerDutyServer());
    pd.delay(Duration.ofMillis(50));
    NotifyService.Settings s = settings(Duration.ZERO, null, pagerDuty(pd));
    NotifyService.Running a = start(s);
    NotifyService.Running b = start(s);
    List<WebShellAlert> records = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      records.add(alert("h" + i, 1));
    }
    for (int i = 0; i < 30; i++) {
      records.add(closed("h" + i, 2));
    }
    produce(records.toArray(WebShellAlert[]::new));
    await(Duration.ofSeconds(60), () -> pd.accepted().size() >= 10, pd.exchanges::toString);
    assertTrue(a.closeWithin(Duration.ofSeconds(30)), "a leaves the group cleanly");
    await(
        Duration.ofSeconds(90),
        () -> pd.everResolved.size() == 30 && committedQuietly() == 60,
        () -> pd.everResolved.size() + " resolved, committed " + committedQuietly());
    assertEquals(Map.of(), pd.reopenedAfterResolve);
    for (int i = 0; i < 30; i++) {
      assertEquals(1, pd.opened.get("h" + i).get(), "h" + i + " " + pd.actions("h" + i));
    }
    assertTrue(
        pd.accepted().size() <= 61, "re-sent at the hand-over: " + (pd.accepted().size() - 60));
    assertTrue(b.health().ready());
  }

  @Test
  void shouldKeepRetryingAnUnreachableServiceAndLoseNothingAcrossAStop() throws Exception {
    // a port nothing listens on: connection refused
    int dead;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = s.getLocalPort();
    }
    NotifyService.Target unreachable =
        new NotifyService.Target(
            new SignedWebhook(
                URI.create("http://127.0.0.1:" + dead + "/hooks/detector"),
                null,
                HTTP_TIMEOUT,
                Clock.systemUTC()),
            RateLimit.NONE);
    NotifyService.Running first = start(settings(Duration.ZERO, null, unreachable));
    produce(alert("i", 1));
    await(
        Duration.ofSeconds(30),
        () ->
            counter(first, "notify.retries", "destination", "webhook", "reason", "connection") >= 3,
        () -> "retries");
    assertTrue(first.closeWithin(Duration.ofSeconds(30)), "stops while retrying");
    assertTrue(committed() <= 0, "nothing committed: " + committed());
    WebhookServer hook = closing(new WebhookServer(null));
    start(
        settings(
            Duration.ZERO,
            null,
            new NotifyService.Target(
                new SignedWebhook(
                    hook.uri("/hooks/detector"), null, HTTP_TIMEOUT, Clock.systemUTC()),
                RateLimit.NONE)));
    await(Duration.ofSeconds(30), () -> hook.accepted().size() == 1, hook.exchanges::toString);
    assertEquals("trigger", hook.accepted().get(0).json().get("action").asText());
  }
}
