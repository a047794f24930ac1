package dev.webshell.detector.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Rule#mayBeShell}, the rule's first test on the raw UTF-8 bytes of FileName, against {@link
 * Rule#isShell} of the string Avro would decode from the same bytes: equal for every byte array.
 */
class MayBeShellTest {
  private static final Rule KQL = new Rule(RuleFiles.builtIn("kql"));
  private static final Rule HARDENED = new Rule(RuleFiles.builtIn("hardened"));
  private static final List<Rule> PROFILES = List.of(KQL, HARDENED);

  /** Checks the byte test against the string test and returns the verdict. */
  private static boolean verdict(Rule rule, byte[] bytes) {
    boolean expected = rule.isShell(new String(bytes, StandardCharsets.UTF_8));
    assertEquals(
        expected,
        rule.mayBeShell(bytes, 0, bytes.length),
        () -> rule.spec().profile() + ": " + Arrays.toString(bytes));
    return expected;
  }

  private static boolean verdict(Rule rule, String fileName) {
    return verdict(rule, fileName.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldAcceptEveryShellOfBothProfilesInAnyAsciiCase() {
    Random random = new Random(1);
    for (Rule rule : PROFILES) {
      for (String shell : rule.spec().shells()) {
        assertTrue(verdict(rule, shell), shell);
        assertTrue(verdict(rule, shell.toUpperCase(Locale.ROOT)), shell);
        for (int k = 0; k < 5; k++) {
          assertTrue(verdict(rule, mixedCase(shell, random)), shell);
        }
      }
    }
  }

  @Test
  void shouldReduceWindowsAndUnixPathsToTheFileNameOnlyWhereTheProfileDoes() {
    for (Rule rule : PROFILES) {
      boolean reduces = rule.spec().reducePathsToFileNames();
      for (String shell : rule.spec().shells()) {
        String upper = shell.toUpperCase(Locale.ROOT);
        for (String path :
            List.of(
                "C:\\Windows\\System32\\" + upper,
                "/usr/bin/" + shell,
                "\\" + shell,
                "/" + shell,
                "C:/mixed\\dirs/" + shell,
                "dir/with\\cmd.exe\\" + shell)) {
          assertEquals(reduces, verdict(rule, path), rule.spec().profile() + " " + path);
        }
        for (String path : List.of(shell + "\\", shell + "/x", "C:\\" + shell + "\\")) {
          assertFalse(verdict(rule, path), path);
        }
      }
    }
    assertTrue(verdict(HARDENED, "C:\\Windows\\System32\\CMD.EXE"));
    assertFalse(verdict(KQL, "C:\\Windows\\System32\\CMD.EXE"));
  }

  @Test
  void shouldRejectNonAsciiLookAlikesThatOnlyUnicodeCaseFoldingWouldEquate() {
    // the Kelvin sign, dotless and dotted capital i, the long s: equalsIgnoreCase takes them for
    // ASCII letters, in~ does not
    assertTrue("ſ".equalsIgnoreCase("s") && "\u212A".equalsIgnoreCase("k"));
    int lookAlikes = 0;
    for (Rule rule : PROFILES) {
      for (String shell : rule.spec().shells()) {
        for (int i = 0; i < shell.length(); i++) {
          for (char alike : lookAlikes(shell.charAt(i))) {
            String name = shell.substring(0, i) + alike + shell.substring(i + 1);
            assertFalse(verdict(rule, name), name);
            assertFalse(verdict(rule, "C:\\Windows\\" + name), name);
            lookAlikes++;
          }
        }
      }
    }
    assertFalse(verdict(HARDENED, "\uFF43\uFF4D\uFF44.exe")); // ｃｍｄ.exe
    assertFalse(verdict(HARDENED, "tas\u212Alist.exe")); // Kelvin sign
    assertFalse(verdict(HARDENED, "p\u0131ng.exe")); // dotless i
    assertFalse(verdict(HARDENED, "P\u0130NG.EXE")); // dotted capital I
    assertFalse(verdict(HARDENED, "\u017Fysteminfo.exe")); // long s
    assertTrue(lookAlikes > 300, lookAlikes + " look-alikes");
  }

  @Test
  void shouldRejectMalformedUtf8InTheFileNameButNotBeforeTheLastSeparator() {
    byte[] cmd = "cmd.exe".getBytes(StandardCharsets.US_ASCII);
    for (Rule rule : PROFILES) {
      for (byte[] bad :
          List.of(
              concat(cmd, new byte[] {(byte) 0xFF}), // not UTF-8 at all
              concat(new byte[] {(byte) 0x80}, cmd), // a lone continuation byte
              concat(bytes("cmd.ex"), new byte[] {(byte) 0xC3}), // truncated sequence at the end
              concat(
                  bytes("cmd."), new byte[] {(byte) 0xC1, (byte) 0xA5}, bytes("xe")), // overlong e
              concat(bytes("cmd."), new byte[] {(byte) 0xE0, (byte) 0x80}, bytes("exe")),
              concat(bytes("cmd"), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}), // surrogate
              concat(bytes("c"), new byte[] {(byte) 0xF0, (byte) 0x9F}, bytes("md.exe")))) {
        assertFalse(verdict(rule, bad), Arrays.toString(bad));
      }
      // a malformed or truncated sequence ends before an ASCII byte: the separator still counts
      for (byte[] lead :
          List.of(
              new byte[] {(byte) 0xE2, (byte) 0x82},
              new byte[] {(byte) 0xF0},
              new byte[] {(byte) 0xC3},
              new byte[] {(byte) 0xFF, (byte) 0xBF})) {
        byte[] path = concat(bytes("C:"), lead, bytes("\\"), bytes("CMD.exe"));
        assertEquals(rule.spec().reducePathsToFileNames(), verdict(rule, path));
      }
    }
  }

  @Test
  void shouldRejectMissingEmptyAndNearMissNames() {
    for (Rule rule : PROFILES) {
      assertFalse(rule.mayBeShell(null, 0, 0));
      assertFalse(verdict(rule, ""));
      for (String near :
          List.of(
              "cmd.exe.bak",
              "xcmd.exe",
              "cmd.ex",
              "md.exe",
              "cmd.exe ",
              " cmd.exe",
              "cmd.exe\u0000",
              "cmd_exe",
              "cmdexe",
              "powershell.exe.exe",
              "C:\\dir\\",
              "/")) {
        assertFalse(verdict(rule, near), near);
      }
    }
  }

  @Test
  void shouldLookOnlyAtTheGivenRangeOfALargerArray() {
    byte[] record = bytes("\\xx/CMD.EXE\\yy");
    // "/CMD.EXE" inside: the separators outside the range do not count
    assertTrue(HARDENED.mayBeShell(record, 3, 8));
    assertFalse(KQL.mayBeShell(record, 3, 8));
    assertTrue(KQL.mayBeShell(record, 4, 7));
    assertTrue(HARDENED.mayBeShell(record, 0, 11)); // \xx/CMD.EXE
    assertFalse(HARDENED.mayBeShell(record, 4, 8)); // CMD.EXE\
    assertFalse(HARDENED.mayBeShell(record, 4, 6)); // CMD.EX
    assertFalse(HARDENED.mayBeShell(record, 5, 6)); // MD.EXE
  }

  @Test
  void shouldGiveTheSameVerdictAsIsShellForEveryTwoBytesBeforeOrAfterAShellOrASeparator() {
    byte[] cmd = bytes("Cmd.exe");
    int hardenedShells = 0;
    for (int x = 0; x < 256; x++) {
      for (int y = 0; y < 256; y++) {
        byte[] two = {(byte) x, (byte) y};
        for (byte[] name :
            List.of(
                concat(two, cmd),
                concat(cmd, two),
                concat(two, bytes("\\"), cmd),
                concat(bytes("cmd.e"), two),
                concat(bytes("/"), two))) {
          verdict(KQL, name);
          if (verdict(HARDENED, name)) {
            hardenedShells++;
          }
        }
      }
    }
    // [x, y] \ Cmd.exe, and the few [x, y] that complete or are a shell themselves
    assertTrue(hardenedShells >= 65_536, hardenedShells + " shells");
  }

  @Test
  void shouldGiveTheSameVerdictAsIsShellForRandomAndMutatedNamesAndBytes() {
    Random random = new Random(42);
    int[] shells = new int[PROFILES.size()];
    int cases = 0;
    for (int n = 0; n < 30_000; n++) {
      byte[] name = randomName(random);
      // somewhere inside other bytes, separators included
      byte[] before = randomBytes(random, random.nextInt(4));
      byte[] after = randomBytes(random, random.nextInt(4));
      byte[] record = concat(before, name, after);
      String decoded = new String(name, StandardCharsets.UTF_8);
      for (int p = 0; p < PROFILES.size(); p++) {
        Rule rule = PROFILES.get(p);
        boolean expected = rule.isShell(decoded);
        assertEquals(
            expected,
            rule.mayBeShell(record, before.length, name.length),
            rule.spec().profile() + ": " + Arrays.toString(name) + " = " + decoded);
        if (expected) {
          shells[p]++;
        }
      }
      cases++;
    }
    // the mutations keep enough names shells to exercise both verdicts
    assertTrue(shells[0] > 300 && shells[1] > 5_000, cases + " cases: " + Arrays.toString(shells));
  }

  @Test
  void shouldFallBackToDecodingWhenARuleFileListsANonAsciiShell() throws IOException {
    String yaml =
        resource("rules/kql.yaml")
            .replace(
                "shells: [cmd.exe, powershell.exe]",
                "shells: [cmd.exe, \"\uFF43\uFF4D\uFF44.exe\", \"k\u00F6r.exe\"]")
            .replace("reducePathsToFileNames: false", "reducePathsToFileNames: true");
    Rule rule = new Rule(RuleFiles.parse("test", "test", new StringReader(yaml)));
    assertEquals(
        List.of("cmd.exe", "\uFF43\uFF4D\uFF44.exe", "k\u00F6r.exe"), rule.spec().shells());
    assertTrue(verdict(rule, "\uFF43\uFF4D\uFF44.EXE"));
    assertTrue(verdict(rule, "C:\\x\\K\u00F6R.exe"));
    assertTrue(verdict(rule, "CMD.exe"));
    assertFalse(verdict(rule, "K\u00D6R.exe")); // Ö is not ASCII: compared exactly
    assertFalse(verdict(rule, "cmd.exe.bak"));
    assertFalse(rule.mayBeShell(null, 0, 0));
    Random random = new Random(5);
    for (int n = 0; n < 5_000; n++) {
      verdict(rule, randomName(random));
    }
  }

  // --- generators

  private static final String[] SHELLS =
      HARDENED.spec().shells().toArray(new String[0]); // the kql shells are among them

  /** A shell name, mutated or in a path, or random text, or random bytes, as UTF-8. */
  private static byte[] randomName(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> randomBytes(random, random.nextInt(20));
      case 1 -> randomText(random, random.nextInt(16)).getBytes(StandardCharsets.UTF_8);
      case 2 -> mutate(bytes(mixedCase(shell(random), random)), random);
      case 3 -> bytes(randomPath(random) + mixedCase(shell(random), random));
      case 4 -> concat(randomBytes(random, random.nextInt(6)), bytes("\\" + shell(random)));
      default -> bytes(mixedCase(shell(random), random));
    };
  }

  private static String shell(Random random) {
    return SHELLS[random.nextInt(SHELLS.length)];
  }

  private static String randomPath(Random random) {
    String[] paths = {"", "C:\\Windows\\System32\\", "/usr/bin/", "\\\\host\\share\\", "a/b\\"};
    return paths[random.nextInt(paths.length)];
  }

  /** One to three edits: a byte replaced, inserted or removed, or a character made non-ASCII. */
  private static byte[] mutate(byte[] name, Random random) {
    List<Byte> b = new ArrayList<>();
    for (byte x : name) {
      b.add(x);
    }
    for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
      int at = b.isEmpty() ? 0 : random.nextInt(b.size());
      switch (random.nextInt(5)) {
        case 0 -> {
          if (!b.isEmpty()) {
            b.set(at, interestingByte(random));
          }
        }
        case 1 -> b.add(at, interestingByte(random));
        case 2 -> {
          if (!b.isEmpty()) {
            b.remove(at);
          }
        }
        case 3 -> {
          if (!b.isEmpty()) {
            char[] alikes = lookAlikes((char) (b.get(at) & 0xff));
            b.remove(at);
            byte[] enc = bytes(String.valueOf(alikes[random.nextInt(alikes.length)]));
            for (int k = enc.length - 1; k >= 0; k--) {
              b.add(at, enc[k]);
            }
          }
        }
        default -> {
          if (!b.isEmpty() && b.get(at) >= 'a' && b.get(at) <= 'z') {
            b.set(at, (byte) (b.get(at) - ('a' - 'A')));
          }
        }
      }
    }
    byte[] out = new byte[b.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.get(i);
    }
    return out;
  }

  private static byte interestingByte(Random random) {
    byte[] interesting = {
      '\\',
      '/',
      '.',
      'e',
      'E',
      0,
      (byte) 0x80,
      (byte) 0xBF,
      (byte) 0xC3,
      (byte) 0xE2,
      (byte) 0xF0,
      (byte) 0xFF,
      (byte) 0xC1,
      (byte) 0xED
    };
    return random.nextBoolean()
        ? interesting[random.nextInt(interesting.length)]
        : (byte) random.nextInt(256);
  }

  private static byte[] randomBytes(Random random, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = interestingByte(random);
    }
    return b;
  }

  private static String randomText(Random random, int n) {
    String alphabet = "cmdCMD.exEX\\/ſ\u212A\u0131\u0130\uFF43\uFFFDé\u00D6";
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    if (random.nextInt(4) == 0) {
      s.appendCodePoint(0x1F600); // a supplementary character: two chars
    }
    return s.toString();
  }

  private static String mixedCase(String s, Random random) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
    }
    return b.toString();
  }

  /** Non-ASCII characters that look like {@code c} or fold to it outside ASCII. */
  private static char[] lookAlikes(char c) {
    List<Character> alikes = new ArrayList<>();
    char lower = Character.toLowerCase(c);
    if (lower >= 'a' && lower <= 'z') {
      alikes.add((char) (0xFF41 + (lower - 'a'))); // full-width small
      alikes.add((char) (0xFF21 + (lower - 'a'))); // full-width capital
    }
    switch (lower) {
      case 'k' -> alikes.add('\u212A'); // Kelvin sign
      case 'i' -> {
        alikes.add('\u0131'); // dotless i
        alikes.add('\u0130'); // capital I with dot
      }
      case 's' -> alikes.add('\u017F'); // long s
      case 'e' -> alikes.add('\u0435'); // Cyrillic e
      case 'c' -> alikes.add('\u0441'); // Cyrillic es
      case '.' -> alikes.add('\uFF0E'); // full-width full stop
      default -> {}
    }
    alikes.add('\uFFFD');
    char[] out = new char[alikes.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = alikes.get(i);
    }
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = RuleFiles.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
