package dev.webshell.detector.topology;

import dev.webshell.detector.ops.RetryableFailures;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;

/**
 * A record the detector could not write — an alert, a match on its way to the device window, or a
 * dead letter — is never the input record's fault, so it never becomes a dead letter itself and is
 * never skipped: the task reads its input again. A retriable error (the producer already retried it
 * up to {@code delivery.timeout.ms}) re-creates the task at once, which Kafka Streams does on
 * {@code RETRY}; any other error is recorded with {@link RetryableFailures}, and the stream thread
 * is replaced after a pause (see the service's uncaught-exception handler). Kafka Streams' default
 * handler would instead write a dead letter of the input through the producer that just failed,
 * which blocks for {@code max.block.ms} and fails too.
 */
public final class WriteFailures implements ProductionExceptionHandler {
  /** Config key: the {@link RetryableFailures} handed to the handler (an object, not a string). */
  public static final String FAILURES_CONFIG = "detector.retryable-failures.instance";

  private RetryableFailures failures = new RetryableFailures(null);

  @Override
  public void configure(Map<String, ?> configs) {
    if (configs.get(FAILURES_CONFIG) instanceof RetryableFailures f) {
      failures = f;
    }
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    failures.record("write-failed", "cannot write to " + record.topic(), exception);
    return exception instanceof RetriableException ? Response.retry() : Response.fail();
  }

  @Override
  @SuppressWarnings("rawtypes")
  public Response handleSerializationError(
      ErrorHandlerContext context,
      ProducerRecord record,
      Exception exception,
      SerializationExceptionOrigin origin) {
    if (DeadLetters.registryUnavailable(exception)) {
      failures.record(
          "registry-unavailable", "cannot serialize a record for " + record.topic(), exception);
    }
    // otherwise the record cannot be written by any attempt (a schema the registry refuses): the
    // detector stops with one line instead of losing alerts
    return Response.fail();
  }
}
