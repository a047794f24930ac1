package dev.webshell.jmh;

import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.window.DeviceWindow;
import dev.webshell.detector.window.DeviceWindowSerde;
import dev.webshell.detector.window.Match;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one match costs in the device window's store beyond the rule: {@code WindowProcessor} reads
 * the device's whole window from the store and writes it back (and so to its changelog) at every
 * match. The window is filled as a flood fills it: {@code lines} distinct command lines of {@code
 * length} extra characters, each repeated {@code repeats} times, spread evenly over {@code days};
 * the setup prints the window's size in bytes. The shapes: one line every 5 minutes for 7 days (a
 * monitoring script), 100 such lines, 4,096 short lines 64 times each, and the largest alert's 128
 * lines of 32,768 characters.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class DeviceWindowStateBenchmark {
  @Param({"1:2016:0:7", "100:2016:0:7", "4096:64:0:3", "128:1:32768:0"})
  String shape;

  private final DeviceWindowSerde serde = new DeviceWindowSerde();
  private byte[] stored;

  @Setup
  public void fill() {
    String[] p = shape.split(":");
    int lines = Integer.parseInt(p[0]);
    int repeats = Integer.parseInt(p[1]);
    String pad = " " + "x".repeat(Integer.parseInt(p[2]));
    long span = Long.parseLong(p[3]) * 86_400_000_000L;
    long step = Math.max(1, span / ((long) lines * repeats));
    RuleSpec rule = RuleSpec.seed();
    DeviceWindow w = new DeviceWindow();
    long t = 1_793_000_000_000_000L;
    for (int r = 0; r < repeats; r++) {
      for (int i = 0; i < lines; i++) {
        t += step;
        ProcessEvent e =
            new ProcessEvent(
                t,
                "device",
                "web01.contoso.local",
                "cmd.exe",
                "cmd.exe /c ping -n 1 10.0." + (i / 256) + "." + (i % 256) + pad,
                "java.exe",
                "services.exe",
                "java.exe -jar tomcat.jar",
                null,
                "C:\\Windows\\System32\\cmd.exe",
                (long) r * lines + i,
                4242L,
                "svc_tomcat",
                null,
                null,
                null);
        w.add(
            Match.of(e, rule.maxCommandLineLength(), 0, t, false),
            rule.id(),
            rule.lookback().toNanos() / 1000,
            rule.maxExactEventsPerCommandLine(),
            rule.maxTrackedCommandLines());
      }
    }
    stored = serde.serializer().serialize("device-windows", w);
    System.err.printf("%n%s: window of %,d bytes%n", shape, stored.length);
  }

  /** A match's store round trip: the window read, then written back. */
  @Benchmark
  public byte[] readAndWriteBack() {
    DeviceWindow w = serde.deserializer().deserialize("device-windows", stored);
    return serde.serializer().serialize("device-windows", w);
  }
}
