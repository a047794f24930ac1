package dev.webshell.detector.rule;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code has any of} for a fixed list of tokens, in one pass over the value and without allocation:
 * the value's terms (maximal runs of {@code [A-Za-z0-9]}) are compared, by length first, with the
 * tokens made only of term characters; tokens that hold separators fall back to {@link Kql#has}.
 */
public final class TermMatcher {
  /** Lower-cased term tokens, indexed by length. */
  private final char[][][] termTokensByLength;

  private final String[] phraseTokens;
  private final int maxTermLength;

  public TermMatcher(List<String> tokens) {
    int max = 0;
    List<String> phrases = new ArrayList<>();
    List<String> terms = new ArrayList<>();
    for (String token : tokens) {
      if (token == null || token.isEmpty()) {
        throw new IllegalArgumentException("a 'has' token must not be empty");
      }
      if (isAllTermChars(token)) {
        terms.add(token.toLowerCase(Locale.ROOT));
        max = Math.max(max, token.length());
      } else {
        phrases.add(token);
      }
    }
    this.maxTermLength = max;
    this.termTokensByLength = new char[max + 1][][];
    for (int len = 1; len <= max; len++) {
      List<char[]> ofLen = new ArrayList<>();
      for (String t : terms) {
        if (t.length() == len) {
          ofLen.add(t.toCharArray());
        }
      }
      termTokensByLength[len] = ofLen.toArray(new char[0][]);
    }
    this.phraseTokens = phrases.toArray(new String[0]);
  }

  private static boolean isAllTermChars(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!Kql.isTermChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** True when {@code value has} at least one of the tokens. */
  public boolean matchesAny(String value) {
    if (value == null) {
      return false;
    }
    if (maxTermLength > 0 && anyTerm(value)) {
      return true;
    }
    for (String phrase : phraseTokens) {
      if (Kql.has(value, phrase)) {
        return true;
      }
    }
    return false;
  }

  private boolean anyTerm(String value) {
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
      if (len > 0 && len <= maxTermLength && matchesTerm(value, start, len)) {
        return true;
      }
    }
    return false;
  }

  private boolean matchesTerm(String value, int start, int len) {
    for (char[] token : termTokensByLength[len]) {
      boolean eq = true;
      for (int k = 0; k < len; k++) {
        if (Kql.lowerAscii(value.charAt(start + k)) != token[k]) {
          eq = false;
          break;
        }
      }
      if (eq) {
        return true;
      }
    }
    return false;
  }
}
