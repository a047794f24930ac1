package dev.webshell.jmh;

import dev.webshell.detector.event.AvroEventDecoder;
import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleFiles;
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
 * The rule on one decoded event: a benign event (rejected by the first test), a near miss (web
 * server spawning a shell, no discovery command: every test runs) and a match. Run with {@code
 * -prof gc} to see the bytes allocated per call (expected: 0).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class MatchBenchmark {
  @Param({"kql", "hardened"})
  String profile;

  Rule rule;
  ProcessEvent benign;
  ProcessEvent nearMiss;
  ProcessEvent match;

  @Setup
  public void setUp() {
    rule = new Rule(RuleFiles.builtIn(profile));
    AvroEventDecoder decoder = new AvroEventDecoder(Events.REGISTRY);
    benign = decoder.apply(Events.avro(Events.event(Events.BENIGN)));
    nearMiss = decoder.apply(Events.avro(Events.event(Events.NEAR_MISS)));
    match = decoder.apply(Events.avro(Events.event(Events.MATCH)));
  }

  @Benchmark
  public boolean benign() {
    return rule.matches(benign);
  }

  @Benchmark
  public boolean nearMiss() {
    return rule.matches(nearMiss);
  }

  @Benchmark
  public boolean match() {
    return rule.matches(match);
  }
}
