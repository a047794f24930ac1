package dev.webshell.detector.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class RootCauseTest {
  @Test
  void shouldTellTheInnermostCausesMessage() {
    Throwable t =
        new RuntimeException(
            "outer", new ExecutionException("middle", new IOException("connection refused")));

    assertEquals("connection refused", RootCause.message(t));
  }

  @Test
  void shouldFoldTheMessagesWhitespaceIntoOneLine() {
    assertEquals(
        "first line second line",
        RootCause.message(new IOException("  first line\n\t second line\n")));
  }

  @Test
  void shouldNameTheClassWhenTheRootCauseHasNoMessage() {
    Throwable t = new UncheckedIOException("reading", new IOException((String) null));

    assertEquals("IOException", RootCause.message(t));
  }

  @Test
  void shouldStopAtAnExceptionThatIsItsOwnCause() {
    Throwable self =
        new IllegalStateException("self") {
          @Override
          public synchronized Throwable getCause() {
            return this;
          }
        };

    assertEquals("self", RootCause.message(new RuntimeException("outer", self)));
  }
}
