package dev.webshell.detector.hunt;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Progress on stderr: a bar redrawn in place (records, rate, ETA) when stderr is a terminal, plain
 * lines every {@code interval} otherwise (logs, CI, pipes).
 */
final class Progress {
  private static final long BAR_REDRAW_NANOS = 250_000_000L;
  private static final int BAR_WIDTH = 30;
  private final PrintWriter err;
  private final boolean terminal;
  private final long intervalNanos;
  private final long total;
  private final long started = System.nanoTime();
  private long lastPrinted = started;
  private boolean barShown;

  Progress(PrintWriter err, boolean terminal, Duration interval, long total) {
    this.err = err;
    this.terminal = terminal;
    this.intervalNanos = Math.max(1, interval.toNanos());
    this.total = total;
  }

  /** Reports {@code done} of the planned records; {@code draining} once all input is read. */
  void update(long done, boolean draining) {
    long now = System.nanoTime();
    if (now - lastPrinted < (terminal ? BAR_REDRAW_NANOS : intervalNanos)) {
      return;
    }
    lastPrinted = now;
    double secs = (now - started) / 1e9;
    double rate = secs > 0 ? done / secs : 0;
    int pct = total == 0 ? 100 : (int) Math.min(100, done * 100 / total);
    String eta =
        draining
            ? "draining the per-device stage"
            : rate > 0 ? "ETA " + clock((long) ((total - done) / rate)) : "ETA --:--";
    if (terminal) {
      int filled = total == 0 ? BAR_WIDTH : (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / total);
      String bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
      err.print(
          String.format(
              Locale.ROOT,
              "\rhunt [%s] %3d%%  %,d/%,d records  %,.0f rec/s  %s   ",
              bar,
              pct,
              done,
              total,
              rate,
              eta));
      barShown = true;
    } else {
      err.println(
          String.format(
              Locale.ROOT,
              "hunt: %d%% (%d/%d records), %.0f records/s, %s",
              pct,
              done,
              total,
              rate,
              eta));
    }
    err.flush();
  }

  /** Ends the bar's line so that what follows starts on a fresh one. */
  void finish() {
    if (barShown) {
      err.println();
      err.flush();
      barShown = false;
    }
  }

  static String clock(long seconds) {
    return seconds >= 3600
        ? String.format(
            Locale.ROOT, "%d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60)
        : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }
}
