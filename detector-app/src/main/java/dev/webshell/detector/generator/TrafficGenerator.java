package dev.webshell.detector.generator;

import dev.webshell.schema.DeviceProcessEvent;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;

/**
 * A stream of process events: benign activity spread over many devices, with web-shell intrusions
 * (Soft Cell through IIS, a Tomcat shell) and near-misses started now and then on web servers. Each
 * intrusion's steps come some events apart, interleaved with the benign traffic.
 */
public final class TrafficGenerator {
  private final EventFactory factory;
  private final Random random;
  private final int devices;
  private final double scenariosPerEvent;
  private final Deque<Step> pending = new ArrayDeque<>();
  private long emitted;
  private long scenarios;

  private record Step(long at, int device, EventFactory.Spawn spawn) {}

  /**
   * @param scenariosPerEvent chance, per event, that a new intrusion or near-miss starts
   */
  public TrafficGenerator(long seed, int devices, double scenariosPerEvent) {
    this.factory = new EventFactory(seed);
    this.random = factory.random();
    this.devices = Math.max(1, devices);
    this.scenariosPerEvent = scenariosPerEvent;
  }

  public long scenarios() {
    return scenarios;
  }

  /** Starts an intrusion now (the demo uses this to script its story). */
  public void startScenario(int kind) {
    int web = (random.nextInt(Math.max(1, devices / 5))) * 5; // web servers are every 5th device
    EventFactory.Spawn[] steps =
        switch (kind % 3) {
          case 0 -> EventFactory.SOFT_CELL;
          case 1 -> EventFactory.TOMCAT;
          default -> EventFactory.NEAR_MISSES;
        };
    long at = emitted + 1;
    for (EventFactory.Spawn s : steps) {
      pending.addLast(new Step(at, web, s));
      at += 1 + random.nextInt(50);
    }
    scenarios++;
  }

  /** The next event, stamped with {@code timestampMicros}. */
  public DeviceProcessEvent next(long timestampMicros) {
    emitted++;
    if (scenariosPerEvent > 0 && random.nextDouble() < scenariosPerEvent) {
      startScenario(random.nextInt(3));
    }
    Step due = pending.peekFirst();
    if (due != null && due.at() <= emitted) {
      pending.removeFirst();
      return factory.event(timestampMicros, due.device(), due.spawn());
    }
    return factory.event(timestampMicros, random.nextInt(devices), factory.benign());
  }
}
