package dev.webshell.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * SLF4J finds exactly one provider on this module's classpath: Log4j's (no "multiple providers").
 */
class OneLoggingBackendTest {
  @Test
  void shouldFindLog4jAsTheOnlySlf4jProvider() {
    assertEquals(
        List.of("org.apache.logging.slf4j.SLF4JServiceProvider"),
        ServiceLoader.load(SLF4JServiceProvider.class).stream()
            .map(p -> p.type().getName())
            .toList());
  }
}
