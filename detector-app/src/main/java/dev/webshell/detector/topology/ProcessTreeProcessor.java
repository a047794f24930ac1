package dev.webshell.detector.topology;

import dev.webshell.detector.ops.DetectorMetrics;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.tree.Node;
import dev.webshell.detector.tree.ProcessTree;
import dev.webshell.detector.tree.TreeInput;
import dev.webshell.detector.window.WindowInput;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Host side of Windows process creations: each host's {@link ProcessTree} gives its shells their
 * grandparent; the matches go straight on to the device windows of the same task (the records are
 * keyed by host, which is their DeviceId, on a topic with as many partitions as the matches').
 */
final class ProcessTreeProcessor implements Processor<String, TreeInput, String, WindowInput> {
  private static final long HOUR_MICROS = 3_600_000_000L;
  private static final Duration EXPIRE_EVERY = Duration.ofSeconds(10);

  private final Rule rule;
  private final DetectorMetrics metrics;
  private ProcessorContext<String, WindowInput> context;
  private ProcessTree tree;
  private long streamTime = Long.MIN_VALUE;
  private long nextForget = Long.MIN_VALUE;

  ProcessTreeProcessor(Rule rule, DetectorMetrics metrics) {
    this.rule = rule;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, WindowInput> context) {
    this.context = context;
    KeyValueStore<String, Node> nodes = context.getStateStore(TopologyConfig.TREE_STORE);
    KeyValueStore<String, ProcessTree.Waiting> waiting =
        context.getStateStore(TopologyConfig.WAITING_STORE);
    this.tree =
        new ProcessTree(
            rule,
            nodes,
            waiting,
            m -> {
              metrics.match();
              context.forward(new Record<>(m.deviceId(), m, context.currentSystemTimeMs()));
            },
            new ProcessTree.Outcomes() {
              @Override
              public void resolved(boolean waited) {
                metrics.lineageResolved(waited);
              }

              @Override
              public void orphaned(ProcessTree.Orphan why) {
                metrics.orphaned(why == ProcessTree.Orphan.WAITING_FULL);
              }
            });
    context.schedule(EXPIRE_EVERY, PunctuationType.WALL_CLOCK_TIME, tree::expire);
  }

  @Override
  public void process(Record<String, TreeInput> record) {
    TreeInput t = record.value();
    if (t.streamTimeMicros() > streamTime) {
      streamTime = t.streamTimeMicros();
      if (streamTime >= nextForget) {
        if (nextForget != Long.MIN_VALUE) {
          tree.forget(streamTime);
        }
        nextForget = (Math.floorDiv(streamTime, HOUR_MICROS) + 1) * HOUR_MICROS;
      }
    }
    tree.add(t, context.currentSystemTimeMs());
  }
}
