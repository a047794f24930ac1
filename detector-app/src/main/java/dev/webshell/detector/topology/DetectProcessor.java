package dev.webshell.detector.topology;

import dev.webshell.detector.event.Decoded;
import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.ops.DetectorMetrics;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.tree.TreeInput;
import dev.webshell.detector.window.Match;
import dev.webshell.detector.window.Progress;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Source side: ignores events outside the configured event-time range (a hunt's {@code [from, to)};
 * none for the live detector), evaluates the rule on every other decoded event, drops matches
 * outside the lookback against the task's stream time (the newest event Timestamp it has read, but
 * never past the detector's clock plus its tolerance: see {@link DetectorClock}), and re-keys
 * matches by DeviceId. Non-matching events go no further.
 *
 * <p>The re-keyed record's timestamp is the wall clock, never the event's time: brokers refuse
 * records stamped too far from their own clock (Kafka 4: more than an hour ahead by default), and
 * an event's Timestamp can be anything a sender wrote. Event time and stream time travel in the
 * payload.
 */
final class DetectProcessor implements Processor<byte[], Decoded, String, Object> {
  private static final String KEY = "t";

  /**
   * The stream time reaches every device window at least this often in event time (a {@link
   * Progress} to every partition), and at the latest {@link #PROGRESS_FLUSH} of wall-clock time
   * after it last advanced: a window closes at most that long after the input passed its close.
   */
  static final long PROGRESS_EVERY_MICROS = 60_000_000L;

  static final Duration PROGRESS_FLUSH = Duration.ofSeconds(1);

  private final Rule rule;
  private final long lookbackMicros;
  private final DetectorMetrics metrics;
  private final TopologyConfig range;
  private final boolean ranged;
  private final DetectorClock clock;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, Long> streamTimeStore;
  private long streamTime = Long.MIN_VALUE;
  private long sentStreamTime = Long.MIN_VALUE;

  DetectProcessor(Rule rule, TopologyConfig config, DetectorMetrics metrics) {
    this.rule = rule;
    this.range = config;
    this.ranged = config.fromMicros() != null || config.toMicros() != null;
    this.clock = config.clock();
    this.lookbackMicros = rule.spec().lookbackMicros();
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.streamTimeStore = context.getStateStore(TopologyConfig.STREAM_TIME_STORE);
    Long saved = streamTimeStore.get(KEY);
    streamTime = saved == null ? Long.MIN_VALUE : saved;
    context.schedule(PROGRESS_FLUSH, PunctuationType.WALL_CLOCK_TIME, now -> sendProgress());
  }

  /** Tells every device window how far this task's input has got, if it got further. */
  private void sendProgress() {
    if (streamTime > sentStreamTime) {
      sentStreamTime = streamTime;
      // not a null key: Kafka Streams drops null-key records on their way into a repartition topic;
      // the partitioner sends it everywhere, and the window tells it apart by its type
      context.forward(new Record<>("", new Progress(streamTime), context.currentSystemTimeMs()));
    }
  }

  @Override
  public void process(Record<byte[], Decoded> record) {
    Decoded decoded = record.value();
    for (String category : decoded.skipped()) {
      metrics.skippedCategory(category);
    }
    long now = context.currentSystemTimeMs();
    long limit = clock.limitMicros(now);
    long before = streamTime;
    for (long ts : decoded.quiet()) {
      read(decoded.format(), ts, limit);
    }
    for (ProcessEvent e : decoded.events()) {
      long ts = e.timestampMicros();
      if (!read(decoded.format(), ts, limit)) {
        continue;
      }
      boolean ahead = ts > limit;
      // before the first event that sets it there is no stream time, hence no lookback to leave
      boolean late = streamTime != Long.MIN_VALUE && ts <= streamTime - lookbackMicros;
      if (e.lineage() != null) {
        // Sysmon, ECS, 4688: the grandparent comes from the host's process tree
        if (rule.mattersToTheTree(e)) {
          if (late && rule.isCandidate(e)) {
            metrics.lateDropped();
          }
          context.forward(
              new Record<>(
                  e.deviceId(), new TreeInput(e, streamTime, ahead, now), now, record.headers()));
        }
        continue;
      }
      if (!rule.matches(e)) {
        continue;
      }
      metrics.match();
      if (late) {
        metrics.lateDropped();
        continue;
      }
      Match m = Match.of(e, rule.spec().maxCommandLineLength(), now, streamTime, ahead);
      context.forward(new Record<>(e.deviceId(), m, now, record.headers()));
    }
    if (streamTime > before) {
      streamTimeStore.put(KEY, streamTime);
      if (streamTime - PROGRESS_EVERY_MICROS >= sentStreamTime) {
        sendProgress();
      }
    }
    if (!decoded.failures().isEmpty()) {
      throw new DeadLetters.PartiallyReadable(decoded.failures());
    }
  }

  /**
   * Counts an event and moves stream time to its Timestamp unless it is dated ahead of the clock;
   * false when it is outside a hunt's range: then it is as if it were not in the topic.
   */
  private boolean read(String format, long ts, long limit) {
    metrics.event(format);
    if (ranged && !range.inRange(ts)) {
      metrics.outOfRange();
      return false;
    }
    if (ts > limit) {
      metrics.aheadOfClock();
    } else if (ts > streamTime) {
      streamTime = ts;
    }
    return true;
  }

  /**
   * Whether a message can change nothing but stream time and the counts of {@link #read}: every
   * event in it can neither match nor matter to a process tree, and it held no unreadable record.
   * The detector's consumer folds runs of such messages into one ({@link QuietRunFolder}) before
   * Kafka Streams sees them.
   */
  static boolean isQuiet(Rule rule, Decoded decoded) {
    if (!decoded.failures().isEmpty()) {
      return false;
    }
    for (ProcessEvent e : decoded.events()) {
      if (e.lineage() != null ? rule.mattersToTheTree(e) : rule.matches(e)) {
        return false;
      }
    }
    return true;
  }
}
