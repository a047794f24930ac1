package dev.webshell.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.testkit.kafka.EmbeddedKafkaCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HostedPartitionsTest {
  @AutoClose private static EmbeddedKafkaCluster kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaCluster.start(1);
  }

  @Test
  void shouldReturnOnceEveryPartitionOfATopicJustCreatedIsHosted() throws Exception {
    try (Admin admin = Admin.create(Map.copyOf(kafka.clientConfig()))) {
      // no waiting between the creation and the check: the check is the wait
      admin.createTopics(List.of(new NewTopic("hosted", 4, (short) 1))).all().get();

      assertDoesNotThrow(() -> HostedPartitions.await(admin, "hosted", 4, Duration.ofSeconds(30)));
    }
  }

  @Test
  void shouldFailNamingTheTopicWhenItsPartitionsAreNeverHosted() throws Exception {
    try (Admin admin = Admin.create(Map.copyOf(kafka.clientConfig()))) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> HostedPartitions.await(admin, "never-created", 2, Duration.ofSeconds(2)));

      assertTrue(
          e.getMessage().startsWith("the partitions of never-created were not"), e.getMessage());
    }
  }
}
