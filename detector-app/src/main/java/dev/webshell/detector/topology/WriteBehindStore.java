package dev.webshell.detector.topology;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A key-value store whose puts stay in a map of pending values until Kafka Streams flushes the
 * task's caches before a commit; then they are written to the wrapped (logged) store, and so to its
 * changelog inside the same transaction as the input offsets. Made for the task's stream time,
 * which advances with nearly every event: a put costs a map write instead of a pass through the
 * metered, cached and position-tracking layers of a Kafka Streams store (a third of the stream
 * thread's time in a profile), and what is committed is the same value at every commit.
 *
 * <p>The hook is Kafka Streams' {@code CachedStateStore.flushCache()}, which {@code
 * ProcessorStateManager.flushCache()} calls on every registered store implementing it when a task
 * prepares a commit or a clean close — before the producer's records are flushed and the
 * transaction committed — the same moment Kafka Streams' own record caches are flushed. {@code
 * clearCache()} (a task closed dirty) and {@code close()} drop the pending values: a value is
 * durable exactly when the commit that covers it is. Reads see pending values; range reads and
 * queries write them back first. {@code CachedStateStore} is an internal interface of Kafka Streams
 * (pinned at 4.3.1 here); {@code WriteBehindStoreTest} and the topology's restart tests fail if it
 * stops being called.
 */
final class WriteBehindStore<K, V> implements KeyValueStore<K, V>, CachedStateStore<K, V> {
  private final KeyValueStore<K, V> inner;
  private final Map<K, V> pending = new HashMap<>();

  WriteBehindStore(KeyValueStore<K, V> inner) {
    this.inner = inner;
  }

  /** A builder of {@code delegate}'s store wrapped in a write-behind store. */
  static <K, V> StoreBuilder<KeyValueStore<K, V>> builder(
      StoreBuilder<KeyValueStore<K, V>> delegate) {
    return new Builder<>(delegate);
  }

  @Override
  public void put(K key, V value) {
    pending.put(key, value);
  }

  @Override
  public V putIfAbsent(K key, V value) {
    V current = get(key);
    if (current == null) {
      put(key, value);
    }
    return current;
  }

  @Override
  public void putAll(List<KeyValue<K, V>> entries) {
    for (KeyValue<K, V> e : entries) {
      put(e.key, e.value);
    }
  }

  @Override
  public V delete(K key) {
    V old = get(key);
    pending.put(key, null);
    return old;
  }

  @Override
  public V get(K key) {
    return pending.containsKey(key) ? pending.get(key) : inner.get(key);
  }

  @Override
  public KeyValueIterator<K, V> range(K from, K to) {
    writeBack();
    return inner.range(from, to);
  }

  @Override
  public KeyValueIterator<K, V> reverseRange(K from, K to) {
    writeBack();
    return inner.reverseRange(from, to);
  }

  @Override
  public KeyValueIterator<K, V> all() {
    writeBack();
    return inner.all();
  }

  @Override
  public KeyValueIterator<K, V> reverseAll() {
    writeBack();
    return inner.reverseAll();
  }

  @Override
  public <S extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, S serializer) {
    writeBack();
    return inner.prefixScan(prefix, serializer);
  }

  @Override
  public long approximateNumEntries() {
    writeBack();
    return inner.approximateNumEntries();
  }

  /** Kafka Streams prepares a commit (or a clean close): the pending values go to the store. */
  @Override
  public void flushCache() {
    writeBack();
    if (inner instanceof CachedStateStore<?, ?> cached) {
      cached.flushCache();
    }
  }

  /** The task is closed dirty: what was not committed is dropped, as it is from every store. */
  @Override
  public void clearCache() {
    pending.clear();
    if (inner instanceof CachedStateStore<?, ?> cached) {
      cached.clearCache();
    }
  }

  @Override
  public boolean setFlushListener(CacheFlushListener<K, V> listener, boolean sendOldValues) {
    return false;
  }

  private void writeBack() {
    if (pending.isEmpty()) {
      return;
    }
    for (Map.Entry<K, V> e : pending.entrySet()) {
      if (e.getValue() == null) {
        inner.delete(e.getKey());
      } else {
        inner.put(e.getKey(), e.getValue());
      }
    }
    pending.clear();
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    inner.init(context, root);
  }

  @Override
  public void commit(Map<TopicPartition, Long> changelogOffsets) {
    inner.commit(changelogOffsets);
  }

  @Override
  public Long committedOffset(TopicPartition partition) {
    return inner.committedOffset(partition);
  }

  @Override
  public void close() {
    pending.clear();
    inner.close();
  }

  @Override
  public boolean persistent() {
    return inner.persistent();
  }

  @Override
  public boolean isOpen() {
    return inner.isOpen();
  }

  @Override
  public <R> QueryResult<R> query(Query<R> query, PositionBound bound, QueryConfig config) {
    writeBack();
    return inner.query(query, bound, config);
  }

  @Override
  public Position getPosition() {
    return inner.getPosition();
  }

  private static final class Builder<K, V> implements StoreBuilder<KeyValueStore<K, V>> {
    private final StoreBuilder<KeyValueStore<K, V>> delegate;

    Builder(StoreBuilder<KeyValueStore<K, V>> delegate) {
      this.delegate = delegate;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
      delegate.withCachingEnabled();
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
      delegate.withCachingDisabled();
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
      delegate.withLoggingEnabled(config);
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
      delegate.withLoggingDisabled();
      return this;
    }

    @Override
    public KeyValueStore<K, V> build() {
      return new WriteBehindStore<>(delegate.build());
    }

    @Override
    public Map<String, String> logConfig() {
      return delegate.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
      return delegate.loggingEnabled();
    }

    @Override
    public String name() {
      return delegate.name();
    }
  }
}
