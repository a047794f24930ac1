package dev.webshell.detector.window;

/**
 * A source task's stream time, sent to every partition of the repartition topic so that a window
 * task learns how far the input has got even when none of its devices matches: without it a close
 * would wait for the next match on that task, which may never come.
 */
public record Progress(long streamTimeMicros) implements WindowInput {}
