package dev.webshell.detector.notify.delivery;

import dev.webshell.detector.notify.destination.Notification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The notification dead-letter topic: the alert record a service refused (a 4xx other than 408 and
 * 429), or that notify could not read, with headers saying who refused what and how. Written
 * synchronously, before the record's offset is committed. The value is the original record's; the
 * request body is kept with credentials hidden.
 */
public final class NotificationDeadLetters implements AutoCloseable {
  public static final String REASON = "notify.error.reason";
  public static final String MESSAGE = "notify.error.message";
  public static final String DESTINATION = "notify.destination";
  public static final String ACTION = "notify.action";
  public static final String STATUS = "notify.response.status";
  public static final String RESPONSE = "notify.response.body";
  public static final String REQUEST = "notify.request.body";
  public static final String SOURCE_TOPIC = "notify.source.topic";
  public static final String SOURCE_PARTITION = "notify.source.partition";
  public static final String SOURCE_OFFSET = "notify.source.offset";
  static final int MAX_REQUEST = 16 * 1024;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;

  public NotificationDeadLetters(String topic, Map<String, Object> producerConfig) {
    this.topic = topic;
    Map<String, Object> p = new HashMap<>(producerConfig);
    p.put("acks", "all");
    p.put("enable.idempotence", true);
    p.putIfAbsent("client.id", "notify-dead-letters");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  public String topic() {
    return topic;
  }

  /** A notification the destination refused. */
  public void refused(
      Job.Source source, String destination, Notification n, String redactedRequest, Outcome o)
      throws InterruptedException {
    RecordHeaders h = headers(source, "refused", o.describe());
    add(h, DESTINATION, destination);
    add(h, ACTION, n.action().label());
    add(h, STATUS, Integer.toString(o.status()));
    add(h, RESPONSE, o.body());
    add(
        h,
        REQUEST,
        redactedRequest.length() > MAX_REQUEST
            ? redactedRequest.substring(0, MAX_REQUEST)
            : redactedRequest);
    write(source, h);
  }

  /** A record that is not an alert notify can read. */
  public void unreadable(Job.Source source, String reason, String message)
      throws InterruptedException {
    write(source, headers(source, reason, message));
  }

  private static RecordHeaders headers(Job.Source source, String reason, String message) {
    RecordHeaders h = new RecordHeaders();
    add(h, REASON, reason);
    add(h, MESSAGE, message == null ? "" : message);
    add(h, SOURCE_TOPIC, source.topic());
    add(h, SOURCE_PARTITION, Integer.toString(source.partition()));
    add(h, SOURCE_OFFSET, Long.toString(source.offset()));
    return h;
  }

  private static void add(RecordHeaders h, String key, String value) {
    h.add(key, value.getBytes(StandardCharsets.UTF_8));
  }

  private void write(Job.Source source, RecordHeaders headers) throws InterruptedException {
    try {
      producer
          .send(new ProducerRecord<>(topic, null, source.key(), source.value(), headers))
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new DeadLetterWriteException(
          "cannot write to the dead-letter topic " + topic + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }

  /** The dead-letter topic cannot be written now. */
  public static final class DeadLetterWriteException extends RuntimeException {
    DeadLetterWriteException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
