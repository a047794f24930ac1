package dev.webshell.detector.tree;

import dev.webshell.detector.event.ProcessEvent;
import dev.webshell.detector.event.ProcessLineage;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** Stores and Sysmon-like creations of one host, for the tree's unit tests. */
final class TreeFixtures {
  static final long T0 = 1_793_000_000_000_000L;
  static final long SECOND = 1_000_000L;
  static final String HOST = "web01.contoso.local";

  private TreeFixtures() {}

  /** An in-memory store without changelog, initialised as a task would. */
  static <V> KeyValueStore<String, V> store(
      String name, Serde<V> values, MockProcessorContext<Object, Object> context) {
    KeyValueStore<String, V> store =
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    return store;
  }

  /** A process creation on {@link #HOST}, keyed by process GUIDs as Sysmon keys it. */
  static TreeInput creation(
      long at, String guid, String fileName, String commandLine, String parentGuid, String parent) {
    ProcessEvent e =
        new ProcessEvent(
            at,
            HOST,
            HOST,
            fileName,
            commandLine,
            parent,
            null,
            parent + " -x",
            null,
            null,
            null,
            null,
            "DefaultAppPool",
            null,
            null,
            new ProcessLineage(ProcessLineage.KeyKind.GUID, guid, parentGuid));
    return new TreeInput(e, at, false, 0);
  }
}
