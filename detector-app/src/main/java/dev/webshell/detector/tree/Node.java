package dev.webshell.detector.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * What the tree keeps of one process: its creation(s) — a process id can be reused, so for PID keys
 * the latest few are kept, for GUID keys one — each with the name and command line of the process
 * that created it (the grandparent of this process's children).
 */
public final class Node {
  /** Creations kept per process id (reuse); a GUID has one. */
  static final int MAX_CREATIONS = 4;

  /** One creation: when, and by whom. */
  record Creation(long timestampMicros, String parentFileName, String parentCommandLine) {}

  final List<Creation> creations = new ArrayList<>();

  /** The newest event time at which this process was created or a child of it was read. */
  long lastUsedMicros = Long.MIN_VALUE;

  /** Adds a creation (in time order); the oldest goes beyond {@link #MAX_CREATIONS}. */
  void add(Creation c) {
    int i = creations.size();
    while (i > 0 && creations.get(i - 1).timestampMicros() > c.timestampMicros()) {
      i--;
    }
    creations.add(i, c);
    if (creations.size() > MAX_CREATIONS) {
      creations.remove(0);
    }
    lastUsedMicros = Math.max(lastUsedMicros, c.timestampMicros());
  }

  /**
   * The creation that is the parent of a child created at {@code childMicros}: for a GUID the one
   * creation; for a process id the latest one before the child (SPEC 6.4).
   */
  Creation parentOf(long childMicros, boolean byProcessId) {
    if (!byProcessId) {
      return creations.isEmpty() ? null : creations.get(creations.size() - 1);
    }
    Creation found = null;
    for (Creation c : creations) {
      if (c.timestampMicros() < childMicros) {
        found = c;
      }
    }
    return found;
  }
}
