package dev.webshell.detector.rule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * "{@code has} all of these terms" for a fixed list of term groups, say {@code [net, user]} and
 * {@code [net1, localgroup]}: true when, for at least one group, the value {@code has} every term
 * of the group, each anywhere and in any order. {@code net.exe user admin} and {@code net user}
 * both hold {@code net} and {@code user}; {@code netuser} and {@code net start} do not.
 *
 * <p>One pass over the value's terms (maximal runs of {@code [A-Za-z0-9]}), no allocation: the
 * distinct terms of all groups (at most 64) are numbered, each group is a bit mask, and the terms
 * seen so far are a {@code long}.
 */
public final class AllTermsMatcher {
  /** The most distinct terms over all groups: one bit each in a {@code long}. */
  public static final int MAX_DISTINCT_TERMS = 64;

  /** Lower-cased distinct terms, indexed by length, with their bit in {@link #bitsByLength}. */
  private final char[][][] termsByLength;

  private final long[][] bitsByLength;
  private final long[] groupMasks;
  private final int maxTermLength;

  public AllTermsMatcher(List<List<String>> groups) {
    Map<String, Integer> index = new LinkedHashMap<>();
    List<Long> masks = new ArrayList<>();
    int max = 0;
    for (List<String> group : groups) {
      if (group.isEmpty()) {
        throw new IllegalArgumentException("a group of terms must not be empty");
      }
      long mask = 0;
      for (String term : group) {
        if (!isTerm(term)) {
          throw new IllegalArgumentException(
              "'" + term + "' is not a single term: use letters and digits only");
        }
        String lower = term.toLowerCase(Locale.ROOT);
        Integer bit = index.get(lower);
        if (bit == null) {
          if (index.size() == MAX_DISTINCT_TERMS) {
            throw new IllegalArgumentException(
                "at most " + MAX_DISTINCT_TERMS + " distinct terms over all groups");
          }
          bit = index.size();
          index.put(lower, bit);
        }
        mask |= 1L << bit;
        max = Math.max(max, lower.length());
      }
      masks.add(mask);
    }
    this.maxTermLength = max;
    this.termsByLength = new char[max + 1][][];
    this.bitsByLength = new long[max + 1][];
    for (int len = 1; len <= max; len++) {
      List<char[]> terms = new ArrayList<>();
      List<Long> bits = new ArrayList<>();
      for (Map.Entry<String, Integer> e : index.entrySet()) {
        if (e.getKey().length() == len) {
          terms.add(e.getKey().toCharArray());
          bits.add(1L << e.getValue());
        }
      }
      termsByLength[len] = terms.toArray(new char[0][]);
      bitsByLength[len] = bits.stream().mapToLong(Long::longValue).toArray();
    }
    this.groupMasks = masks.stream().mapToLong(Long::longValue).toArray();
  }

  /** True when {@code s} is one non-empty term: {@code [A-Za-z0-9]+}. */
  public static boolean isTerm(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Kql.isTermChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** True when {@code value has} every term of at least one group. */
  public boolean matchesAny(String value) {
    if (value == null || groupMasks.length == 0) {
      return false;
    }
    long seen = 0;
    int n = value.length();
    int i = 0;
    while (i < n) {
      while (i < n && !Kql.isTermChar(value.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && Kql.isTermChar(value.charAt(i))) {
        i++;
      }
      int len = i - start;
      if (len > 0 && len <= maxTermLength) {
        long bit = bitOf(value, start, len);
        if ((seen & bit) == 0 && bit != 0) {
          seen |= bit;
          for (long mask : groupMasks) {
            if ((seen & mask) == mask) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  private long bitOf(String value, int start, int len) {
    char[][] terms = termsByLength[len];
    for (int t = 0; t < terms.length; t++) {
      char[] term = terms[t];
      boolean eq = true;
      for (int k = 0; k < len; k++) {
        if (Kql.lowerAscii(value.charAt(start + k)) != term[k]) {
          eq = false;
          break;
        }
      }
      if (eq) {
        return bitsByLength[len][t];
      }
    }
    return 0;
  }
}
