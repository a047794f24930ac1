package dev.webshell.detector.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.webshell.detector.event.Decoded;
import dev.webshell.detector.event.InputDeserializer;
import dev.webshell.detector.event.InputFormat;
import dev.webshell.detector.event.QuietRuns;
import dev.webshell.detector.rule.Rule;
import dev.webshell.detector.rule.RuleSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class QuietRunFolderTest {
  private final QuietRuns runs = QuietRuns.withRandomSecret();
  private final InputDeserializer input =
      new InputDeserializer(InputFormat.AUTO, null, new Rule(RuleSpec.seed()), runs);
  private final QuietRunFolder folder = new QuietRunFolder(input, new Rule(RuleSpec.seed()), runs);

  private static final String BENIGN = benign(0);
  private static final String MATCH =
      Ev.at(Duration.ZERO).file("cmd.exe").cmd("cmd.exe /c whoami").initiating("w3wp.exe").json();

  private static String benign(int minute) {
    return at(minute).file("notepad.exe").cmd("notepad a.txt").initiating("explorer.exe").json();
  }

  private static Ev at(int minute) {
    return Ev.at(Duration.ofMinutes(minute));
  }

  @Test
  void
      shouldFoldConsecutiveQuietRecordsIntoOneAtTheOffsetOfTheLastSoThatACommitAfterItSkipsTheRun() {
    List<ConsumerRecord<byte[], byte[]>> polled =
        records(100, benign(1), benign(2), benign(3), MATCH, benign(4), benign(5));

    List<ConsumerRecord<byte[], byte[]>> out = folder.fold(polled);

    assertEquals(3, out.size());
    assertEquals(102, out.get(0).offset());
    Decoded first = input.deserialize("events", out.get(0).value());
    assertArrayEquals(new long[] {at(1).micros, at(2).micros, at(3).micros}, first.quiet());
    assertEquals("json", first.format());
    assertSame(polled.get(3), out.get(1), "a record that may match passes unchanged");
    assertEquals(105, out.get(2).offset());
    assertEquals(2, input.deserialize("events", out.get(2).value()).quiet().length);
  }

  @Test
  void shouldPassUnreadableRecordsUnchangedSoThatTheyBecomeDeadLetters() {
    List<ConsumerRecord<byte[], byte[]>> polled = records(0, BENIGN, "{oops", BENIGN, BENIGN);

    List<ConsumerRecord<byte[], byte[]>> out = folder.fold(polled);

    assertEquals(3, out.size());
    assertSame(polled.get(0), out.get(0), "a run of one is left as it is");
    assertSame(polled.get(1), out.get(1));
    assertEquals(3, out.get(2).offset());
  }

  @Test
  void shouldStartANewRunWhenTheFormatChanges() {
    String envelope =
        "{\"records\":[{\"properties\":"
            + BENIGN
            + ",\"category\":\"AdvancedHunting-DeviceProcessEvents\"}]}";
    List<ConsumerRecord<byte[], byte[]>> out =
        folder.fold(records(0, BENIGN, BENIGN, envelope, envelope));

    assertEquals(2, out.size());
    assertEquals("json", input.deserialize("events", out.get(0).value()).format());
    assertEquals("envelope", input.deserialize("events", out.get(1).value()).format());
    assertEquals(1, out.get(0).offset());
    assertEquals(3, out.get(1).offset());
  }

  private static List<ConsumerRecord<byte[], byte[]>> records(long offset, String... values) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    for (String v : values) {
      out.add(
          new ConsumerRecord<>("events", 0, offset++, null, v.getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }
}
