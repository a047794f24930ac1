package dev.webshell.jmh;

import dev.webshell.detector.rule.Kql;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleFiles;
import dev.webshell.detector.rule.TermMatcher;
import java.util.List;
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
 * {@code has any} and {@code contains} on long command lines with no match (the worst case: the
 * whole line is scanned), e.g. an encoded PowerShell payload or a long Java class path.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class TermMatcherBenchmark {
  @Param({"256", "4096", "32768"})
  int length;

  TermMatcher kqlTokens;
  Rule kql;
  Rule hardened;
  String line;

  @Setup
  public void setUp() {
    kqlTokens =
        new TermMatcher(
            List.of("wget", "whoami", "certutil", "systeminfo", "ping", "ipconfig", "timeout"));
    kql = new Rule(RuleFiles.builtIn("kql"));
    hardened = new Rule(RuleFiles.builtIn("hardened"));
    StringBuilder b = new StringBuilder("\"C:\\Program Files\\Java\\jdk-17\\bin\\java.exe\" -cp ");
    int i = 0;
    while (b.length() < length) {
      b.append("C:\\app\\lib\\module-").append(i++).append("-mapping_pinger.jar;");
    }
    line = b.substring(0, length);
  }

  /** The kql profile's seven {@code has} tokens, one pass over the line. */
  @Benchmark
  public boolean hasAny() {
    return kqlTokens.matchesAny(line);
  }

  /** {@code contains "%temp%"}, ignoring ASCII case. */
  @Benchmark
  public boolean containsTemp() {
    return Kql.containsIgnoreAsciiCase(line, "%temp%");
  }

  /** The whole command-line condition of the kql profile (contains, then has). */
  @Benchmark
  public boolean kqlCommand() {
    return kql.isSuspiciousCommand(line);
  }

  /** The hardened profile's command-line condition (more tokens, all-terms groups). */
  @Benchmark
  public boolean hardenedCommand() {
    return hardened.isSuspiciousCommand(line);
  }
}
