package dev.webshell.demo;

import dev.webshell.detector.generator.TrafficGenerator;
import dev.webshell.schema.DeviceProcessEvent;

/**
 * The demo's story as a stream of events: benign traffic on {@code devices} devices, with an
 * Operation Soft Cell intrusion through IIS at 10 % of the batch, near-misses at 35 %, a Tomcat web
 * shell at 55 % and more near-misses at 75 %. Deterministic for a seed (timestamps aside), so a
 * test can replay the same events through the offline scanner and know what the demo must show.
 *
 * <p>After the batch ({@link #batchDone()}), {@link #next(long)} goes on for {@code --follow}: one
 * more scenario (Soft Cell, Tomcat, near-misses in turn) every {@value #FOLLOW_SCENARIO_EVERY}
 * events.
 */
final class DemoScript implements DemoStory<DeviceProcessEvent> {
  /** The fewest batch events that leave room for every scripted step (at most 5 × 50 apart). */
  static final long MIN_EVENTS = 1000;

  static final int SOFT_CELL = 0;
  static final int TOMCAT = 1;
  static final int NEAR_MISSES = 2;

  static final long FOLLOW_SCENARIO_EVERY = 400;

  private final TrafficGenerator generator;
  private final long batch;
  private final long[] at;
  private final int[] kinds = {SOFT_CELL, NEAR_MISSES, TOMCAT, NEAR_MISSES};
  private long emitted;
  private int nextFollowKind;

  DemoScript(long seed, int devices, long batch) {
    if (batch < MIN_EVENTS) {
      throw new IllegalArgumentException("at least " + MIN_EVENTS + " events, got " + batch);
    }
    this.generator = new TrafficGenerator(seed, devices, 0);
    this.batch = batch;
    this.at = new long[] {batch / 10, batch * 35 / 100, batch * 55 / 100, batch * 75 / 100};
  }

  @Override
  public boolean batchDone() {
    return emitted >= batch;
  }

  long emitted() {
    return emitted;
  }

  @Override
  public DeviceProcessEvent next(long timestampMicros) {
    if (emitted < batch) {
      for (int i = 0; i < at.length; i++) {
        if (at[i] == emitted) {
          generator.startScenario(kinds[i]);
        }
      }
    } else if ((emitted - batch) % FOLLOW_SCENARIO_EVERY == FOLLOW_SCENARIO_EVERY / 2) {
      generator.startScenario(nextFollowKind);
      nextFollowKind = (nextFollowKind + 1) % 3;
    }
    emitted++;
    return generator.next(timestampMicros);
  }

  @Override
  public String key(DeviceProcessEvent event) {
    return event.getDeviceId();
  }
}
