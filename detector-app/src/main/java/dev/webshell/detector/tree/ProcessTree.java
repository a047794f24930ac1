package dev.webshell.detector.tree;

import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.event.ProcessLineage;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.window.Match;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The per-host process tree that gives Sysmon, ECS and Security 4688 events their grandparent (SPEC
 * 6.4: {@code InitiatingProcessParentFileName} is the parent's own {@code ParentImage}).
 *
 * <p>It keeps only what the rule can need: the processes that are web servers (their creator is the
 * grandparent of a web server's direct children) and the children of web servers (the parents of a
 * web server's grandchildren), each for {@link #RETENTION} of event time after it was last created
 * or used. A shell running a suspicious command whose parent is not known yet and is not a web
 * server itself waits for its parent's creation for {@link #WAIT} of wall-clock time (collectors
 * that spread one host over partitions deliver a child before its parent); it is matched when the
 * parent arrives in time, and dropped (counted) otherwise.
 *
 * <p>Keys are compared within one host and one key kind ({@link ProcessLineage}).
 */
public final class ProcessTree {
  /** How long a child waits for its parent's creation (wall clock). */
  public static final Duration WAIT = Duration.ofMinutes(5);

  /** How long a node is kept after its last creation or use (event time). */
  public static final Duration RETENTION = Duration.ofDays(7);

  /** Children waiting at most, per task: beyond, new ones are dropped (counted). */
  public static final int MAX_WAITING = 100_000;

  private static final char SEP = '\u0001';
  private static final char CHILD = '\u0002';
  private static final StringSerializer KEYS = new StringSerializer();

  /** What happened to a record, for the metrics. */
  public interface Outcomes {
    Outcomes NONE = new Outcomes() {};

    /** A match whose grandparent came from the tree (or was not needed). */
    default void resolved(boolean waited) {}

    /** A child dropped without its grandparent, and why. */
    default void orphaned(Orphan why) {}
  }

  /** Why a child that waited for its parent's creation was dropped. */
  public enum Orphan {
    /** Its parent's creation did not come within {@link #WAIT}. */
    EXPIRED,
    /**
     * Turned away at once: {@link #MAX_WAITING} children already waited in the task. A grandchild
     * whose parent's creation would have come within the wait is missed; the count says so.
     */
    WAITING_FULL
  }

  private final Rule rule;
  private final int maxCommandLineLength;
  private final KeyValueStore<String, Node> nodes;
  private final KeyValueStore<String, Waiting> waiting;
  private final Consumer<Match> matches;
  private final Outcomes outcomes;

  /**
   * What the stores hold, read from them at the first need (after Kafka Streams restored them) and
   * kept in step since: the keys of {@link #nodes}, the node keys children in {@link #waiting} wait
   * for, and how many wait (both read by {@link #readWaiting} while {@code waitedFor} is null). A
   * lookup that cannot find anything is skipped.
   */
  private KeyHashes nodeKeys;

  private KeyHashes waitedFor;
  private long waitingCount;

  /** A child waiting for its parent's creation, since a wall-clock time. */
  public record Waiting(long sinceMillis, TreeInput input) {}

  public ProcessTree(
      Rule rule,
      KeyValueStore<String, Node> nodes,
      KeyValueStore<String, Waiting> waiting,
      Consumer<Match> matches,
      Outcomes outcomes) {
    this.rule = rule;
    this.maxCommandLineLength = rule.spec().maxCommandLineLength();
    this.nodes = nodes;
    this.waiting = waiting;
    this.matches = matches;
    this.outcomes = outcomes;
  }

  /**
   * Reads one creation of its host: matches it (or parks it until its parent comes), then records
   * it as a node — in that order, so that a process is never taken for its own parent (process ids
   * are reused).
   */
  public void add(TreeInput t, long nowMillis) {
    ProcessEvent e = t.event();
    ProcessLineage l = e.lineage();
    if (rule.isCandidate(e)) {
      evaluate(t, nowMillis);
    }
    if (l.processKey() != null
        && (rule.isWebServer(e.fileName(), e.processCommandLine())
            || rule.isWebServer(e.initiatingProcessFileName(), e.initiatingProcessCommandLine()))) {
      String key = key(e.deviceId(), l.kind(), l.processKey());
      Node n = node(key);
      if (n == null) {
        n = new Node();
      }
      n.add(
          new Node.Creation(
              e.timestampMicros(),
              e.initiatingProcessFileName(),
              e.initiatingProcessCommandLine()));
      nodes.put(key, n);
      nodeKeys().add(key);
      release(key, n, l.kind());
    }
  }

  private void evaluate(TreeInput t, long nowMillis) {
    ProcessEvent e = t.event();
    ProcessLineage l = e.lineage();
    Node.Creation parent = null;
    if (l.parentProcessKey() != null) {
      String key = key(e.deviceId(), l.kind(), l.parentProcessKey());
      Node n = node(key);
      if (n != null) {
        parent = n.parentOf(e.timestampMicros(), l.kind() == ProcessLineage.KeyKind.PID);
        if (parent != null && e.timestampMicros() > n.lastUsedMicros) {
          n.lastUsedMicros = e.timestampMicros();
          nodes.put(key, n);
        }
      }
    }
    if (parent != null) {
      emitIfMatch(t, parent, false);
    } else if (rule.matches(
        e.fileName(),
        e.processCommandLine(),
        e.initiatingProcessFileName(),
        null,
        e.initiatingProcessCommandLine())) {
      // the parent is a web server itself: a match now, its creator unknown (SPEC: null)
      emit(t, null);
      outcomes.resolved(false);
    } else if (l.parentProcessKey() != null) {
      park(t, nowMillis);
    }
  }

  private void emitIfMatch(TreeInput t, Node.Creation parent, boolean waited) {
    ProcessEvent e = t.event();
    if (rule.matches(
        e.fileName(),
        e.processCommandLine(),
        e.initiatingProcessFileName(),
        parent.parentFileName(),
        e.initiatingProcessCommandLine(),
        parent.parentCommandLine())) {
      emit(t, parent.parentFileName());
      outcomes.resolved(waited);
    }
  }

  private void emit(TreeInput t, String grandparent) {
    ProcessEvent e = t.event();
    ProcessEvent withGrandparent = e.withInitiatingProcessParentFileName(grandparent);
    matches.accept(
        Match.of(
            withGrandparent,
            maxCommandLineLength,
            t.ingestMillis(),
            t.streamTimeMicros(),
            t.aheadOfClock()));
  }

  /** The node of {@code key}, or {@code null}; read from the store only if it may be there. */
  private Node node(String key) {
    return nodeKeys().mayHold(key) ? nodes.get(key) : null;
  }

  private KeyHashes nodeKeys() {
    if (nodeKeys == null) {
      nodeKeys = new KeyHashes();
      try (KeyValueIterator<String, Node> it = nodes.all()) {
        while (it.hasNext()) {
          nodeKeys.add(it.next().key);
        }
      }
    }
    return nodeKeys;
  }

  private void park(TreeInput t, long nowMillis) {
    readWaiting();
    if (waitingCount >= MAX_WAITING) {
      outcomes.orphaned(Orphan.WAITING_FULL);
      return;
    }
    ProcessEvent e = t.event();
    String parent = parentKey(t);
    String key =
        parent
            + CHILD
            + hex16(e.timestampMicros() ^ Long.MIN_VALUE)
            + CHILD
            + (e.lineage().processKey() == null ? "" : e.lineage().processKey())
            + CHILD
            + e.processCommandLine().hashCode();
    waiting.put(key, new Waiting(nowMillis, t));
    waitedFor.add(parent);
    waitingCount++;
  }

  /** The key of the node a parked child waits for: its parent's, on its host. */
  private static String parentKey(TreeInput t) {
    ProcessEvent e = t.event();
    return key(e.deviceId(), e.lineage().kind(), e.lineage().parentProcessKey());
  }

  /** The children waiting for a creation of this node that turns out to be their parent. */
  private void release(String nodeKey, Node n, ProcessLineage.KeyKind kind) {
    readWaiting();
    if (!waitedFor.mayHold(nodeKey)) {
      return;
    }
    List<KeyValue<String, Waiting>> ready = new ArrayList<>();
    try (KeyValueIterator<String, Waiting> it = waiting.prefixScan(nodeKey + CHILD, KEYS)) {
      while (it.hasNext()) {
        KeyValue<String, Waiting> kv = it.next();
        long child = kv.value.input().event().timestampMicros();
        if (n.parentOf(child, kind == ProcessLineage.KeyKind.PID) != null) {
          ready.add(kv);
        }
      }
    }
    for (KeyValue<String, Waiting> kv : ready) {
      waiting.delete(kv.key);
      waitingCount = Math.max(0, waitingCount - 1);
      TreeInput t = kv.value.input();
      emitIfMatch(
          t, n.parentOf(t.event().timestampMicros(), kind == ProcessLineage.KeyKind.PID), true);
    }
  }

  /** Drops the children that waited longer than {@link #WAIT}; returns how many. */
  public int expire(long nowMillis) {
    List<String> old = new ArrayList<>();
    KeyHashes stillWaitedFor = new KeyHashes();
    long n = 0;
    try (KeyValueIterator<String, Waiting> it = waiting.all()) {
      while (it.hasNext()) {
        KeyValue<String, Waiting> kv = it.next();
        n++;
        if (nowMillis - kv.value.sinceMillis() >= WAIT.toMillis()) {
          old.add(kv.key);
        } else {
          stillWaitedFor.add(parentKey(kv.value.input()));
        }
      }
    }
    old.forEach(waiting::delete);
    old.forEach(k -> outcomes.orphaned(Orphan.EXPIRED));
    waitingCount = n - old.size();
    waitedFor = stillWaitedFor;
    return old.size();
  }

  /** Forgets the nodes not created or used for {@link #RETENTION} of event time. */
  public int forget(long streamTimeMicros) {
    long horizon = streamTimeMicros - RETENTION.toNanos() / 1000;
    List<String> old = new ArrayList<>();
    KeyHashes kept = new KeyHashes();
    try (KeyValueIterator<String, Node> it = nodes.all()) {
      while (it.hasNext()) {
        KeyValue<String, Node> kv = it.next();
        if (kv.value.lastUsedMicros < horizon) {
          old.add(kv.key);
        } else {
          kept.add(kv.key);
        }
      }
    }
    old.forEach(nodes::delete);
    nodeKeys = kept;
    return old.size();
  }

  /** Counts the waiting children and notes whom they wait for, once. */
  private void readWaiting() {
    if (waitedFor != null) {
      return;
    }
    KeyHashes parents = new KeyHashes();
    long n = 0;
    try (KeyValueIterator<String, Waiting> it = waiting.all()) {
      while (it.hasNext()) {
        parents.add(parentKey(it.next().value.input()));
        n++;
      }
    }
    waitedFor = parents;
    waitingCount = n;
  }

  /** Sixteen lower-case hex digits: keys of one parent sort by time (a state format). */
  private static String hex16(long v) {
    String h = Long.toHexString(v);
    return h.length() == 16 ? h : "0".repeat(16 - h.length()) + h;
  }

  static String key(String deviceId, ProcessLineage.KeyKind kind, String processKey) {
    return deviceId + SEP + (kind == ProcessLineage.KeyKind.GUID ? 'g' : 'p') + SEP + processKey;
  }
}
