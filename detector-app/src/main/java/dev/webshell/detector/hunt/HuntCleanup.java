package dev.webshell.detector.hunt;

import dev.webshell.detector.ops.Directories;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Removes what a hunt created: closes Kafka Streams (leaving the group), deletes its local state,
 * every topic named {@code <appId>-…} (internal and private ones) and the consumer group.
 */
final class HuntCleanup {
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

  private HuntCleanup() {}

  static void close(KafkaStreams streams) {
    if (streams != null) {
      streams.close(
          CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
              .withTimeout(CLOSE_TIMEOUT));
    }
  }

  /** Returns what could not be removed. */
  static List<String> run(Admin admin, KafkaStreams streams, String appId, Path stateDir) {
    List<String> left = new ArrayList<>();
    if (streams != null) {
      close(streams);
      try {
        streams.cleanUp();
      } catch (RuntimeException e) {
        left.add("local state under " + stateDir + " (" + e.getMessage() + ")");
      }
    }
    Directories.deleteRecursively(stateDir.resolve(appId));
    try {
      Set<String> all = KafkaCalls.get(admin.listTopics().names());
      List<String> mine = all.stream().filter(t -> t.startsWith(appId + "-")).sorted().toList();
      if (!mine.isEmpty()) {
        try {
          KafkaCalls.get(admin.deleteTopics(mine).all());
        } catch (KafkaCalls.Failure e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
            left.add("topics " + String.join(", ", mine) + " (" + e.getMessage() + ")");
          }
        }
      }
    } catch (InterruptedException | KafkaCalls.Failure e) {
      left.add("topics " + appId + "-* (" + e.getMessage() + ")");
    }
    String group = deleteGroup(admin, appId);
    if (group != null) {
      left.add(group);
    }
    return left;
  }

  private static String deleteGroup(Admin admin, String appId) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String last = null;
    while (System.nanoTime() < deadline) {
      try {
        KafkaCalls.get(admin.deleteConsumerGroups(List.of(appId)).all());
        return null;
      } catch (KafkaCalls.Failure e) {
        if (e.getCause() instanceof GroupIdNotFoundException) {
          return null;
        }
        // a member that has not left yet (GroupNotEmpty): try again shortly
        last = e.getMessage();
      } catch (InterruptedException e) {
        last = "interrupted";
        break;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        last = "interrupted";
        break;
      }
    }
    return "consumer group " + appId + " (" + last + ")";
  }
}
