package dev.webshell.detector.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CacheLinesTest {

  @Test
  void shouldReadEveryLengthAroundTheLineSizeWithoutChangingOrOverrunningTheBytes() {
    Random random = new Random(7);
    for (int n : new int[] {0, 1, 2, 63, 64, 65, 127, 128, 129, 1312, 70_000}) {
      byte[] data = new byte[n];
      random.nextBytes(data);
      byte[] copy = data.clone();
      assertDoesNotThrow(() -> CacheLines.touch(data), "length " + n);
      assertArrayEquals(copy, data, "length " + n);
    }
  }
}
