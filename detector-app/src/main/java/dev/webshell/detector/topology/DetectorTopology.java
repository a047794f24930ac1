package dev.webshell.detector.topology;

import dev.webshell.detector.event.Decoded;
import dev.webshell.detector.ops.DetectorMetrics;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.tree.TreeInput;
import dev.webshell.detector.tree.TreeSerdes;
import dev.webshell.detector.window.DeviceWindowSerde;
import dev.webshell.detector.window.WindowInput;
import dev.webshell.detector.window.WindowInputSerde;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The detector as a pure function of its configuration and serdes: no I/O happens here.
 *
 * <pre>
 * input topics ─decode─▶ detect (event-time range, rule, lookback, clock)
 *   ├─ Defender rows: matches ─re-key by DeviceId─▶ matches-by-device ─────────┐
 *   ├─ progress (stream time, to every partition) ─▶ matches-by-device ────────┤
 *   └─ Sysmon/ECS/4688 creations that matter ─re-key by host─▶ processes-by-host│
 *        ─▶ process tree (grandparent; a child may wait for its parent) ─matches┤
 *   device window (7-day event-time state per device; closes windows that emptied) ◀┘
 *     ─▶ alert revisions ─▶ output topic
 * </pre>
 *
 * Both repartition topics are keyed by DeviceId (a Windows host's name is its DeviceId) and get the
 * same number of partitions, so a host's tree and its window live in the same task.
 *
 * <p>Unreadable records go to the dead-letter topic through the Kafka Streams exception handlers
 * ({@link DeadLetters}), configured by {@link StreamsSettings}.
 */
public final class DetectorTopology {
  private DetectorTopology() {}

  public static Topology build(
      TopologyConfig config, DetectorSerdes serdes, DetectorMetrics metrics) {
    StreamsBuilder builder = new StreamsBuilder();
    Rule rule = new Rule(config.rule());

    // Stream time advances with nearly every event: written behind, so that it reaches the store
    // and its changelog once per commit instead of once per event (same value at every commit).
    builder.addStateStore(
        WriteBehindStore.builder(
            Stores.keyValueStoreBuilder(
                supplier(config, TopologyConfig.STREAM_TIME_STORE),
                Serdes.String(),
                Serdes.Long())));
    StoreBuilder<?> windows =
        Stores.keyValueStoreBuilder(
            supplier(config, TopologyConfig.WINDOW_STORE),
            Serdes.String(),
            new DeviceWindowSerde());
    builder.addStateStore(windows);
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            supplier(config, TopologyConfig.CLOSING_STORE), Serdes.Bytes(), Serdes.ByteArray()));

    Consumed<byte[], Decoded> consumed =
        Consumed.with(
                Serdes.ByteArray(), Serdes.serdeFrom(DetectorTopology::readOnly, serdes.input()))
            .withName("input");
    KStream<byte[], Decoded> input =
        config.inputPattern() != null
            ? builder.stream(config.inputPattern(), consumed)
            : builder.stream(config.inputTopics(), consumed);

    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            supplier(config, TopologyConfig.TREE_STORE), Serdes.String(), TreeSerdes.node()));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            supplier(config, TopologyConfig.WAITING_STORE), Serdes.String(), TreeSerdes.waiting()));

    Map<String, KStream<String, Object>> routed =
        input
            .process(
                () -> new DetectProcessor(rule, config, metrics),
                Named.as("detect"),
                TopologyConfig.STREAM_TIME_STORE)
            .split(Named.as("route-"))
            .branch((k, v) -> v instanceof TreeInput, Branched.as("tree"))
            .defaultBranch(Branched.as("window"));
    KStream<String, WindowInput> fromTrees =
        routed
            .get("route-tree")
            .mapValues(v -> (TreeInput) v, Named.as("tree-input"))
            .repartition(
                Repartitioned.with(Serdes.String(), TreeSerdes.input())
                    .withName(TopologyConfig.TREE_REPARTITION))
            .process(
                () -> new ProcessTreeProcessor(rule, metrics),
                Named.as("process-tree"),
                TopologyConfig.TREE_STORE,
                TopologyConfig.WAITING_STORE);
    routed
        .get("route-window")
        .mapValues(v -> (WindowInput) v, Named.as("window-input"))
        .repartition(
            Repartitioned.with(Serdes.String(), new WindowInputSerde())
                .withStreamPartitioner(new ProgressToEveryPartition())
                .withName(TopologyConfig.REPARTITION))
        .merge(fromTrees, Named.as("matches"))
        .process(
            () -> new WindowProcessor(config.rule(), metrics),
            Named.as("device-window"),
            TopologyConfig.WINDOW_STORE,
            TopologyConfig.CLOSING_STORE)
        .to(
            config.outputTopic(),
            Produced.with(Serdes.String(), serdes.alerts()).withName("alerts"));
    return builder.build();
  }

  private static byte[] readOnly(String topic, Decoded value) {
    throw new IllegalStateException("input records are never written by the detector");
  }

  private static KeyValueBytesStoreSupplier supplier(TopologyConfig config, String name) {
    return config.persistentStores()
        ? Stores.persistentKeyValueStore(name)
        : Stores.inMemoryKeyValueStore(name);
  }
}
