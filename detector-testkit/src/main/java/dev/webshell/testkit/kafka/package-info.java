/**
 * A real Kafka 4.3.1 KRaft cluster without Docker: {@link
 * dev.webshell.testkit.kafka.EmbeddedKafkaCluster} in-process for tests, {@link
 * dev.webshell.testkit.kafka.KafkaBrokerMain} as a separate process for the demo and child-JVM
 * tests.
 *
 * <p>Measured on the 2-core build machine (JDK 17, default heap settings, idle cluster): startup
 * about 2.5 s for 1 or 3 brokers in a fresh JVM, 0.2–0.8 s in a JVM that already ran a cluster; a
 * standalone process holds about 225 MB RSS / 46 MB live heap / 89 threads with 1 broker and about
 * 240 MB RSS / 62 MB live heap / 193 threads with 3 brokers.
 */
package dev.webshell.testkit.kafka;
