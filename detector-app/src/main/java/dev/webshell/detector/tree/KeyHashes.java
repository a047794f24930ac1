package dev.webshell.detector.tree;

/**
 * The hashes of a store's keys, kept beside the store so that a key it cannot hold is not looked
 * up: most lookups of the process tree miss (a shell whose parent is no web server's child, a new
 * process, a creation no child waits for), and a miss in RocksDB costs a skip-list walk and, in
 * rocksdbjni, a C++ exception.
 *
 * <p>Exact by construction: every key of the store is added, so {@link #mayHold} never answers
 * {@code false} for a key the store holds; a key removed from the store, or one that shares a hash,
 * only costs the lookup it would have cost anyway. A set of {@link String#hashCode}s with linear
 * probing; 0 marks an empty slot.
 */
final class KeyHashes {
  private static final int EMPTY = 0;

  private int[] slots = new int[1024];
  private int size;

  /** Whether the store may hold {@code key}: {@code false} only if it was never {@link #add}ed. */
  boolean mayHold(String key) {
    int h = hash(key);
    int mask = slots.length - 1;
    for (int i = h & mask; slots[i] != EMPTY; i = (i + 1) & mask) {
      if (slots[i] == h) {
        return true;
      }
    }
    return false;
  }

  /** Records that the store holds {@code key}. */
  void add(String key) {
    int h = hash(key);
    if (insert(slots, h)) {
      size++;
      if (2 * size > slots.length) {
        int[] bigger = new int[2 * slots.length];
        for (int s : slots) {
          if (s != EMPTY) {
            insert(bigger, s);
          }
        }
        slots = bigger;
      }
    }
  }

  int size() {
    return size;
  }

  private static boolean insert(int[] table, int h) {
    int mask = table.length - 1;
    int i = h & mask;
    while (table[i] != EMPTY) {
      if (table[i] == h) {
        return false;
      }
      i = (i + 1) & mask;
    }
    table[i] = h;
    return true;
  }

  /** The key's hash, spread over the low bits the table indexes by, never {@link #EMPTY}. */
  private static int hash(String key) {
    int h = key.hashCode() * 0x9E3779B9;
    h ^= h >>> 16;
    return h == EMPTY ? 1 : h;
  }
}
