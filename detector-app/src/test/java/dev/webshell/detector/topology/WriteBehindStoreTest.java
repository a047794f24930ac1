package dev.webshell.detector.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WriteBehindStoreTest {
  private KeyValueStore<String, Long> inner;
  private WriteBehindStore<String, Long> store;

  @BeforeEach
  void open() {
    inner =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("t"), Serdes.String(), Serdes.Long())
            .withLoggingDisabled()
            .build();
    store = new WriteBehindStore<>(inner);
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void shouldKeepPutsOutOfTheWrappedStoreUntilKafkaStreamsFlushesItsCaches() {
    store.put("t", 1L);
    store.put("t", 2L);

    assertEquals(2L, store.get("t"));
    assertNull(inner.get("t"));

    store.flushCache();

    assertEquals(2L, inner.get("t"));
    assertEquals(2L, store.get("t"));
  }

  @Test
  void shouldDropWhatWasNotCommittedWhenTheTaskIsClosedDirty() {
    store.put("t", 1L);
    store.flushCache();
    store.put("t", 5L);

    store.clearCache();

    assertEquals(1L, store.get("t"));
    assertEquals(1L, inner.get("t"));
  }

  @Test
  void shouldWriteADeleteBehindAsATombstone() {
    store.put("t", 1L);
    store.flushCache();

    assertEquals(1L, store.delete("t"));
    assertNull(store.get("t"));
    assertEquals(1L, inner.get("t"));

    store.flushCache();
    assertNull(inner.get("t"));
  }

  @Test
  void shouldPutIfAbsentAgainstPendingAndStoredValues() {
    store.put("a", 1L);
    store.flushCache();

    assertEquals(1L, store.putIfAbsent("a", 2L));
    assertNull(store.putIfAbsent("b", 3L));
    assertEquals(3L, store.putIfAbsent("b", 4L));
  }

  @Test
  void shouldWritePendingValuesBackBeforeARangeRead() {
    store.putAll(List.of(KeyValue.pair("a", 1L), KeyValue.pair("b", 2L)));

    List<KeyValue<String, Long>> all = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = store.all()) {
      it.forEachRemaining(all::add);
    }

    assertEquals(List.of(KeyValue.pair("a", 1L), KeyValue.pair("b", 2L)), all);
    assertEquals(2L, inner.get("b"));
  }

  @Test
  void shouldBuildTheDelegatesStoreWithItsNameAndChangelogSettings() {
    StoreBuilder<KeyValueStore<String, Long>> builder =
        WriteBehindStore.builder(
            Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("stream-time"), Serdes.String(), Serdes.Long()));

    assertEquals("stream-time", builder.name());
    assertTrue(builder.loggingEnabled());
    assertFalse(builder.withLoggingDisabled().loggingEnabled());
    KeyValueStore<String, Long> built = builder.build();
    assertTrue(built instanceof WriteBehindStore);
    assertEquals("stream-time", built.name());
  }
}
