package dev.webshell.detector.tree;

import dev.webshell.detector.event.ProcessEvent;
import java.util.Objects;

/**
 * A Windows process creation on its way to its host's process tree (Sysmon, ECS, Security 4688:
 * inputs that carry only the parent), with what the source task knew when it read it.
 *
 * @param event the creation, with its {@link ProcessEvent#lineage() lineage}
 * @param streamTimeMicros the source task's stream time after reading it
 * @param aheadOfClock it was dated later than the detector's clock plus its tolerance
 * @param ingestMillis wall-clock time the source task read it (latency metric only)
 */
public record TreeInput(
    ProcessEvent event, long streamTimeMicros, boolean aheadOfClock, long ingestMillis) {
  public TreeInput {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(event.lineage(), "lineage");
  }
}
