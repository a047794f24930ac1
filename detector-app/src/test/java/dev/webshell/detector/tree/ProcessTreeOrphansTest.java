package dev.webshell.detector.tree;

import static dev.webshell.detector.tree.TreeFixtures.SECOND;
import static dev.webshell.detector.tree.TreeFixtures.T0;
import static dev.webshell.detector.tree.TreeFixtures.creation;
import static dev.webshell.detector.tree.TreeFixtures.store;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleSpec;
import dev.webshell.detector.window.Match;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A child read before its parent's creation waits for it; it is dropped without its grandparent
 * when the wait runs out, or at once when {@link ProcessTree#MAX_WAITING} children already wait.
 * The two drops are told apart, since only the second can cost a match the wait would have found.
 */
class ProcessTreeOrphansTest {
  private final List<Match> matches = new ArrayList<>();
  private final Map<ProcessTree.Orphan, Integer> orphans = new EnumMap<>(ProcessTree.Orphan.class);
  private ProcessTree tree;

  @BeforeEach
  void tree() {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    tree =
        new ProcessTree(
            new Rule(RuleSpec.seed()),
            store("nodes", TreeSerdes.node(), context),
            store("waiting", TreeSerdes.waiting(), context),
            matches::add,
            new ProcessTree.Outcomes() {
              @Override
              public void orphaned(ProcessTree.Orphan why) {
                orphans.merge(why, 1, Integer::sum);
              }
            });
  }

  /** A shell running a discovery command under a cmd.exe whose creation was never logged. */
  private static TreeInput childOfAnUnloggedShell(int i) {
    return creation(T0 + i, "f-" + i, "powershell.exe", "whoami", "gone-" + i, "cmd.exe");
  }

  private static TreeInput grandchildOfIis(String guid, long at) {
    return creation(at, guid, "powershell.exe", "powershell.exe -c whoami", "c-1", "cmd.exe");
  }

  @Test
  void shouldCountAChildWhoseParentNeverCameAsExpired() {
    tree.add(childOfAnUnloggedShell(0), 0);

    assertEquals(0, tree.expire(ProcessTree.WAIT.toMillis() - 1), "still within the wait");
    assertEquals(1, tree.expire(ProcessTree.WAIT.toMillis()));

    assertEquals(Map.of(ProcessTree.Orphan.EXPIRED, 1), orphans);
    assertEquals(List.of(), matches);
  }

  @Test
  void shouldTurnAwayAChildWhenTheWaitingIsFullAndCountItApartFromTheExpired() {
    // Given: IIS's worker, and all but one of the places to wait taken
    tree.add(creation(T0, "w-1", "w3wp.exe", "w3wp.exe -ap x", "s-1", "svchost.exe"), 0);
    for (int i = 0; i < ProcessTree.MAX_WAITING - 1; i++) {
      tree.add(childOfAnUnloggedShell(i), 0);
    }

    // When: two grandchildren of the worker come before their parent, then the parent
    tree.add(grandchildOfIis("p-waits", T0 + 2 * SECOND), 0);
    tree.add(grandchildOfIis("p-turned-away", T0 + 3 * SECOND), 0);
    tree.add(creation(T0 + SECOND, "c-1", "cmd.exe", "cmd.exe /c x", "w-1", "w3wp.exe"), 0);

    // Then: the one that found a place is matched with its grandparent; the other is lost, counted
    assertEquals(1, matches.size());
    assertEquals(T0 + 2 * SECOND, matches.get(0).timestampMicros());
    assertEquals("w3wp.exe", matches.get(0).initiatingProcessParentFileName());
    assertEquals(Map.of(ProcessTree.Orphan.WAITING_FULL, 1), orphans);

    // and the others expire as usual, which frees the places
    assertEquals(ProcessTree.MAX_WAITING - 1, tree.expire(ProcessTree.WAIT.toMillis()));
    assertEquals(ProcessTree.MAX_WAITING - 1, orphans.get(ProcessTree.Orphan.EXPIRED));
    long now = ProcessTree.WAIT.toMillis();
    tree.add(creation(T0 + 10 * SECOND, "p-2", "powershell.exe", "whoami", "c-2", "cmd.exe"), now);
    tree.add(creation(T0 + 9 * SECOND, "c-2", "cmd.exe", "cmd.exe /c y", "w-1", "w3wp.exe"), now);
    assertEquals(2, matches.size(), "a child waits again, and is matched when its parent comes");
    assertEquals(1, orphans.get(ProcessTree.Orphan.WAITING_FULL));
  }
}
