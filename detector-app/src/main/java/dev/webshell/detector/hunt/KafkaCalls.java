package dev.webshell.detector.hunt;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaFuture;

/** Waiting for an Admin call, with a bound, its failure unwrapped. */
final class KafkaCalls {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private KafkaCalls() {}

  static <T> T get(KafkaFuture<T> f) throws InterruptedException {
    try {
      return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new Failure(e.getCause());
    } catch (TimeoutException e) {
      throw new Failure(e);
    }
  }

  /** An Admin call failed; the cause is Kafka's error. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }
}
