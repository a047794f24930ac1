package dev.webshell.detector.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyHashesTest {
  @Test
  void shouldHoldEveryKeyAddedThroughGrowth() {
    KeyHashes hashes = new KeyHashes();
    Random random = new Random(7);
    Set<String> added = new HashSet<>();
    for (int i = 0; i < 50_000; i++) {
      String key = "host-" + random.nextInt(1_000) + '\u0001' + "g\u0001" + random.nextLong();
      hashes.add(key);
      added.add(key);
    }
    for (String key : added) {
      assertTrue(hashes.mayHold(key), key);
    }
    assertEquals(added.size(), hashes.size(), "no two of these keys share a hash");
  }

  @Test
  void shouldAnswerNoForMostKeysNeverAdded() {
    KeyHashes hashes = new KeyHashes();
    for (int i = 0; i < 10_000; i++) {
      hashes.add("added-" + i);
    }
    int maybe = 0;
    for (int i = 0; i < 10_000; i++) {
      if (hashes.mayHold("other-" + i)) {
        maybe++;
      }
    }
    assertTrue(maybe < 10, maybe + " of 10,000 keys never added were answered maybe");
  }

  @Test
  void shouldHoldBothOfTwoKeysThatShareAHashAndCountThemOnce() {
    KeyHashes hashes = new KeyHashes();
    assertEquals("Aa".hashCode(), "BB".hashCode());
    hashes.add("Aa");
    assertTrue(hashes.mayHold("BB"), "a shared hash costs a lookup, never a miss");
    hashes.add("BB");
    hashes.add("Aa");
    assertEquals(1, hashes.size());
    assertFalse(hashes.mayHold("C"));
  }

  @Test
  void shouldHoldAKeyWhoseHashSpreadsToTheEmptyMarker() {
    KeyHashes hashes = new KeyHashes();
    hashes.add(""); // "".hashCode() is 0, spread to 0 too: stored as another value
    assertTrue(hashes.mayHold(""));
  }
}
