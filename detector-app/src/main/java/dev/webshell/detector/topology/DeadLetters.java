package dev.webshell.detector.topology;

import dev.webshell.detector.event.DecodeException;
import dev.webshell.detector.event.Decoded;
import dev.webshell.detector.ops.DetectorMetrics;
import dev.webshell.detector.ops.RetryableFailures;
import dev.webshell.detector.ops.Version;
import dev.webshell.detector.registry.RegistryMisconfiguredException;
import dev.webshell.detector.registry.RegistryUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Dead letters (SPEC 6): a record that cannot be read goes, with its original key, value and
 * headers, to the dead-letter topic, plus headers naming the error and the source; processing goes
 * on. Both handlers are Kafka Streams' own extension points, so under exactly-once the dead letter
 * is written in the same transaction as the input offset it consumes.
 */
public final class DeadLetters {
  public static final String HEADER_PREFIX = "detector.";
  public static final String ERROR_CLASS = "detector.error.class";
  public static final String ERROR_REASON = "detector.error.reason";
  public static final String ERROR_MESSAGE = "detector.error.message";
  public static final String SOURCE_TOPIC = "detector.source.topic";
  public static final String SOURCE_PARTITION = "detector.source.partition";
  public static final String SOURCE_OFFSET = "detector.source.offset";
  public static final String ENVELOPE_INDEX = "detector.source.envelope-index";
  public static final String VERSION = "detector.version";

  /** Config key: metrics sink handed to the handlers (an object, not a string). */
  public static final String METRICS_CONFIG = "detector.metrics.instance";

  private DeadLetters() {}

  /**
   * A failure of the schema registry, not of the record, anywhere in {@code e}'s causes: the
   * registry unavailable after retries ({@link RegistryUnavailableException}; the partition is to
   * be read again from the same offset once it answers) or refusing the configuration ({@link
   * RegistryMisconfiguredException}; fatal). The handlers answer FAIL without a dead letter.
   */
  /**
   * Answers for a failure that is not the record's: an unavailable registry is recorded as
   * retryable (the partition waits and reads the record again); a misconfigured one is fatal.
   * Either way the record is not a dead letter.
   */
  static void notTheRecords(Throwable e, RetryableFailures failures) {
    if (registryUnavailable(e)) {
      failures.record("registry-unavailable", "schema registry unavailable", e);
    }
  }

  static boolean registryUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RegistryUnavailableException) {
        return true;
      }
    }
    return false;
  }

  static RetryableFailures failures(Map<String, ?> configs) {
    return configs.get(WriteFailures.FAILURES_CONFIG) instanceof RetryableFailures f
        ? f
        : new RetryableFailures(null);
  }

  public static boolean notTheRecordsFault(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RegistryUnavailableException
          || t instanceof RegistryMisconfiguredException) {
        return true;
      }
    }
    return false;
  }

  static String topic(Map<String, ?> configs) {
    Object t = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    if (t == null || t.toString().isBlank()) {
      throw new IllegalStateException(
          StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG
              + " must name the dead-letter topic");
    }
    return t.toString();
  }

  static DetectorMetrics metrics(Map<String, ?> configs) {
    return configs.get(METRICS_CONFIG) instanceof DetectorMetrics m ? m : DetectorMetrics.NONE;
  }

  static ProducerRecord<byte[], byte[]> record(
      String dlqTopic,
      byte[] key,
      byte[] value,
      Headers original,
      String topic,
      int partition,
      long offset,
      Throwable error,
      Integer envelopeIndex) {
    Headers h = new RecordHeaders();
    if (original != null) {
      original.forEach(
          header -> {
            if (!header.key().startsWith(HEADER_PREFIX + "error.")
                && !header.key().startsWith(HEADER_PREFIX + "source.")) {
              h.add(header);
            }
          });
    }
    String reason = error instanceof DecodeException d ? d.reason() : "processing-error";
    String message =
        error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    put(h, ERROR_CLASS, error.getClass().getName());
    put(h, ERROR_REASON, reason);
    put(h, ERROR_MESSAGE, message.length() > 1000 ? message.substring(0, 1000) : message);
    put(h, SOURCE_TOPIC, topic);
    put(h, SOURCE_PARTITION, Integer.toString(partition));
    put(h, SOURCE_OFFSET, Long.toString(offset));
    if (envelopeIndex != null) {
      put(h, ENVELOPE_INDEX, envelopeIndex.toString());
    }
    put(h, VERSION, Version.get());
    return new ProducerRecord<>(dlqTopic, null, key, value, h);
  }

  private static void put(Headers h, String key, String value) {
    h.remove(key);
    h.add(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  /** Whole messages that cannot be deserialized. */
  public static final class OnDeserialization implements DeserializationExceptionHandler {
    private String dlqTopic;
    private DetectorMetrics metrics = DetectorMetrics.NONE;
    private RetryableFailures failures;

    @Override
    public void configure(Map<String, ?> configs) {
      dlqTopic = topic(configs);
      metrics = metrics(configs);
      failures = failures(configs);
    }

    @Override
    public Response handleError(
        ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
      if (notTheRecordsFault(exception)) {
        // a record that may well be readable once the registry answers: never a dead letter
        notTheRecords(exception, failures);
        return Response.fail();
      }
      metrics.deadLetter(exception instanceof DecodeException d ? d.reason() : "deserialization");
      return Response.resume(
          List.of(
              DeadLetters.record(
                  dlqTopic,
                  record.key(),
                  record.value(),
                  record.headers(),
                  record.topic(),
                  record.partition(),
                  record.offset(),
                  exception,
                  null)));
    }
  }

  /**
   * Records inside a message that could not be read (its readable neighbours were processed) and
   * any unexpected processing error: each goes to the dead letters, processing goes on.
   */
  public static final class OnProcessing implements ProcessingExceptionHandler {
    private String dlqTopic;
    private DetectorMetrics metrics = DetectorMetrics.NONE;
    private RetryableFailures failures;

    @Override
    public void configure(Map<String, ?> configs) {
      dlqTopic = topic(configs);
      metrics = metrics(configs);
      failures = failures(configs);
    }

    @Override
    public Response handleError(
        ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
      if (notTheRecordsFault(exception)) {
        // the alert serializer could not reach the registry: the input is fine
        notTheRecords(exception, failures);
        return Response.fail();
      }
      List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
      if (exception instanceof PartiallyReadable partial) {
        for (Decoded.Failure f : partial.failures()) {
          metrics.deadLetter(f.error().reason());
          out.add(
              DeadLetters.record(
                  dlqTopic,
                  context.sourceRawKey(),
                  f.bytes(),
                  context.headers(),
                  context.topic(),
                  context.partition(),
                  context.offset(),
                  f.error(),
                  f.index()));
        }
      } else {
        metrics.deadLetter("processing-error");
        out.add(
            DeadLetters.record(
                dlqTopic,
                context.sourceRawKey(),
                context.sourceRawValue(),
                context.headers(),
                context.topic(),
                context.partition(),
                context.offset(),
                exception,
                null));
      }
      return Response.resume(out);
    }
  }

  /**
   * Thrown after a message's readable events were processed, to hand its unreadable records to
   * {@link OnProcessing}.
   */
  public static final class PartiallyReadable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<Decoded.Failure> failures;

    PartiallyReadable(List<Decoded.Failure> failures) {
      super(failures.size() + " unreadable record(s) in the message", null, false, false);
      this.failures = List.copyOf(failures);
    }

    public List<Decoded.Failure> failures() {
      return failures;
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
