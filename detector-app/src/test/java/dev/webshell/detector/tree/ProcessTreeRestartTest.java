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
import java.util.List;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tree keeps in memory which keys its stores hold, to skip the lookups that cannot find
 * anything. A restarted or migrated task gets a new tree over stores Kafka Streams restored, and
 * the tree rebuilds those keys when it expires children and forgets nodes: in each case what the
 * stores hold must still be found. Each test fills the stores through one tree and reads them
 * through a new one, as a restarted task does.
 */
class ProcessTreeRestartTest {
  private KeyValueStore<String, Node> nodes;
  private KeyValueStore<String, ProcessTree.Waiting> waiting;
  private final List<Match> matches = new ArrayList<>();
  private final Rule rule = new Rule(RuleSpec.seed());

  @BeforeEach
  void stores() {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    nodes = store("nodes", TreeSerdes.node(), context);
    waiting = store("waiting", TreeSerdes.waiting(), context);
  }

  private ProcessTree newTree() {
    return new ProcessTree(rule, nodes, waiting, matches::add, ProcessTree.Outcomes.NONE);
  }

  /** IIS's worker under svchost, then a cmd.exe it started (a node: a web server's child). */
  private void webServerAndItsShell(ProcessTree tree) {
    tree.add(creation(T0, "w-1", "w3wp.exe", "w3wp.exe -ap x", "s-1", "svchost.exe"), 0);
    tree.add(creation(T0 + SECOND, "c-1", "cmd.exe", "cmd.exe /c x", "w-1", "w3wp.exe"), 0);
  }

  private static TreeInput grandchild(long at) {
    return creation(at, "p-" + at, "powershell.exe", "powershell.exe -c whoami", "c-1", "cmd.exe");
  }

  @Test
  void shouldFindTheGrandparentOfAShellFromNodesWrittenBeforeARestart() {
    webServerAndItsShell(newTree());

    newTree().add(grandchild(T0 + 2 * SECOND), 0);

    assertEquals(1, matches.size());
    assertEquals("w3wp.exe", matches.get(0).initiatingProcessParentFileName());
  }

  @Test
  void shouldReleaseAChildParkedBeforeARestartWhenItsParentComes() {
    ProcessTree before = newTree();
    before.add(creation(T0, "w-1", "w3wp.exe", "w3wp.exe -ap x", "s-1", "svchost.exe"), 0);
    before.add(grandchild(T0 + 2 * SECOND), 0);
    assertEquals(List.of(), matches, "waits for its parent");

    newTree().add(creation(T0 + SECOND, "c-1", "cmd.exe", "cmd.exe /c x", "w-1", "w3wp.exe"), 0);

    assertEquals(1, matches.size(), "released by the restarted tree");
  }

  @Test
  void shouldStillReleaseAChildThatOutlivedAnExpiry() {
    ProcessTree tree = newTree();
    tree.add(creation(T0, "w-1", "w3wp.exe", "w3wp.exe -ap x", "s-1", "svchost.exe"), 0);
    tree.add(grandchild(T0 + 3 * SECOND), 0);
    tree.add(
        creation(T0 + 4 * SECOND, "p-9", "powershell.exe", "whoami", "gone", "cmd.exe"), 60_000);

    assertEquals(
        1, tree.expire(ProcessTree.WAIT.toMillis() + 1), "the first child waited too long");
    tree.add(creation(T0 + SECOND, "c-1", "cmd.exe", "cmd.exe /c x", "w-1", "w3wp.exe"), 0);
    assertEquals(List.of(), matches, "c-1's child expired");

    tree.add(creation(T0 + 2 * SECOND, "gone", "cmd.exe", "cmd.exe /c z", "w-1", "w3wp.exe"), 0);
    assertEquals(1, matches.size(), "the child that still waited is released by its parent");
  }

  @Test
  void shouldStillFindTheNodesThatOutlivedAForgetting() {
    ProcessTree tree = newTree();
    webServerAndItsShell(tree);
    long later = T0 + ProcessTree.RETENTION.toNanos() / 1000;
    tree.add(creation(later, "c-2", "cmd.exe", "cmd.exe /c x", "w-1", "w3wp.exe"), 0);

    assertEquals(
        2, tree.forget(later + 2 * SECOND), "w-1's node and c-1's, unused for the retention");
    tree.add(grandchild(later + 2 * SECOND), 0);
    tree.add(creation(later + 3 * SECOND, "p-3", "powershell.exe", "whoami", "c-2", "cmd.exe"), 0);

    assertEquals(1, matches.size(), "c-2's child, whose grandparent w3wp.exe is kept in c-2");
    assertEquals("w3wp.exe", matches.get(0).initiatingProcessParentFileName());
  }
}
