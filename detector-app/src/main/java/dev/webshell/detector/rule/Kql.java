package dev.webshell.detector.rule;

/**
 * The KQL string operators the rule uses, with KQL's documented semantics and no allocation.
 *
 * <p>Case folding is ASCII only: {@code A-Z} equals {@code a-z}; every other character, including
 * non-ASCII letters such as {@code É} or full-width {@code Ｗ}, compares exactly. A {@code null}
 * value makes every comparison false.
 */
public final class Kql {
  private Kql() {}

  static char lowerAscii(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }

  /** A term character of {@code has}: {@code [A-Za-z0-9]}. Everything else separates terms. */
  public static boolean isTermChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /** {@code in} for one value: exact, case-sensitive equality. */
  public static boolean equalsExact(String value, String candidate) {
    return value != null && value.equals(candidate);
  }

  /** {@code in~} / {@code =~} for one value: equality ignoring ASCII case. */
  public static boolean equalsIgnoreAsciiCase(String value, String candidate) {
    if (value == null || candidate == null || value.length() != candidate.length()) {
      return false;
    }
    return regionEqualsIgnoreAsciiCase(value, 0, candidate, 0, candidate.length());
  }

  /** {@code startswith}: prefix, ignoring ASCII case. */
  public static boolean startsWithIgnoreAsciiCase(String value, String prefix) {
    if (value == null || prefix == null || value.length() < prefix.length()) {
      return false;
    }
    return regionEqualsIgnoreAsciiCase(value, 0, prefix, 0, prefix.length());
  }

  /**
   * {@code contains}: substring, ignoring ASCII case. The empty needle is contained in any value.
   */
  public static boolean containsIgnoreAsciiCase(String value, String needle) {
    return indexOfIgnoreAsciiCase(value, needle, 0) >= 0;
  }

  /**
   * {@code has}: the value holds {@code needle} as whole terms, ignoring ASCII case.
   *
   * <p>For a needle made only of term characters (every token of the seed rule) this is "one of the
   * value's maximal runs of {@code [A-Za-z0-9]} equals the needle". For a needle that holds
   * separators itself (say {@code net user}), the needle must occur as a substring whose first and
   * last characters, where they are term characters, are not extended by term characters in the
   * value: the same whole-term condition at both ends.
   */
  public static boolean has(String value, String needle) {
    if (value == null || needle == null || needle.isEmpty()) {
      return false;
    }
    int n = needle.length();
    boolean termStart = isTermChar(needle.charAt(0));
    boolean termEnd = isTermChar(needle.charAt(n - 1));
    int from = 0;
    while (true) {
      int at = indexOfIgnoreAsciiCase(value, needle, from);
      if (at < 0) {
        return false;
      }
      boolean leftOk = !termStart || at == 0 || !isTermChar(value.charAt(at - 1));
      int end = at + n;
      boolean rightOk = !termEnd || end == value.length() || !isTermChar(value.charAt(end));
      if (leftOk && rightOk) {
        return true;
      }
      from = at + 1;
    }
  }

  static int indexOfIgnoreAsciiCase(String value, String needle, int from) {
    if (value == null || needle == null) {
      return -1;
    }
    int n = needle.length();
    int last = value.length() - n;
    if (n == 0) {
      return from <= value.length() ? from : -1;
    }
    char first = lowerAscii(needle.charAt(0));
    for (int i = from; i <= last; i++) {
      if (lowerAscii(value.charAt(i)) == first
          && regionEqualsIgnoreAsciiCase(value, i + 1, needle, 1, n - 1)) {
        return i;
      }
    }
    return -1;
  }

  static boolean regionEqualsIgnoreAsciiCase(String a, int aFrom, String b, int bFrom, int len) {
    for (int k = 0; k < len; k++) {
      char x = a.charAt(aFrom + k);
      char y = b.charAt(bFrom + k);
      if (x != y && lowerAscii(x) != lowerAscii(y)) {
        return false;
      }
    }
    return true;
  }
}
