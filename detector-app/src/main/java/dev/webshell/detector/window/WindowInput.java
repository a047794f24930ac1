package dev.webshell.detector.window;

/**
 * What the repartition topic carries to the device windows: a matching event, keyed by its
 * DeviceId, or a source task's progress, sent to every partition. Both carry the source task's
 * stream time, by which windows that have emptied are closed (SPEC 4, closing revision).
 */
public sealed interface WindowInput permits Match, Progress {
  /** The source task's stream time when this was written. */
  long streamTimeMicros();
}
