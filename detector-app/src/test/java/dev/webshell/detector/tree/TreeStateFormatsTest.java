package dev.webshell.detector.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.event.ProcessLineage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/**
 * The process tree's formats pinned by fixtures (see the window's StateFormatsTest): the
 * repartition record, the tree's node and a waiting child. A change needs a new version byte and a
 * new fixture; the old ones stay and must still be read.
 */
class TreeStateFormatsTest {
  static final long T0 = 1_793_000_000_000_000L;

  static byte[] fixture(String name) {
    try (InputStream in =
        TreeStateFormatsTest.class.getResourceAsStream("/state-formats/" + name)) {
      if (in == null) {
        throw new AssertionError("missing fixture state-formats/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static TreeInput input() {
    ProcessEvent e =
        new ProcessEvent(
            T0,
            "web01.contoso.local",
            "web01.contoso.local",
            "powershell.exe",
            "powershell.exe -nop -c whoami ☃",
            "cmd.exe",
            null,
            "cmd.exe /c x",
            null,
            null,
            1026L,
            null,
            "DefaultAppPool",
            null,
            null,
            new ProcessLineage(ProcessLineage.KeyKind.GUID, "5a17c300-0ce4", "5a17c300-0ce3"));
    return new TreeInput(e, T0 - 5, true, 1_700_000_000_000L);
  }

  static Node node() {
    Node n = new Node();
    n.add(new Node.Creation(T0, "svchost.exe", "svchost.exe -k iissvcs"));
    n.add(new Node.Creation(T0 + 7, "services.exe", null));
    n.lastUsedMicros = T0 + 99;
    return n;
  }

  @Test
  void shouldReadAndRewriteTheVersion1TreeRecordUnchanged() {
    byte[] v1 = fixture("tree-input-v1.bin");
    assertEquals(input(), TreeSerdes.readInput(v1));
    assertArrayEquals(v1, TreeSerdes.writeInput(input()));
  }

  @Test
  void shouldReadAndRewriteTheVersion1NodeUnchanged() {
    byte[] v1 = fixture("tree-node-v1.bin");
    Node read = TreeSerdes.readNode(v1);
    assertEquals(node().creations, read.creations);
    assertEquals(T0 + 99, read.lastUsedMicros);
    assertArrayEquals(v1, TreeSerdes.writeNode(node()));
  }

  @Test
  void shouldReadAndRewriteTheVersion1WaitingChildUnchanged() {
    byte[] v1 = fixture("tree-waiting-v1.bin");
    ProcessTree.Waiting w = new ProcessTree.Waiting(1_700_000_123_456L, input());
    assertEquals(w, TreeSerdes.readWaiting(v1));
    assertArrayEquals(v1, TreeSerdes.writeWaiting(w));
  }
}
