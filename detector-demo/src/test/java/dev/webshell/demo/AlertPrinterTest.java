package dev.webshell.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webshell.detector.cli.Main;
import dev.webshell.schema.WebShellAlert;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertPrinterTest {

  private static WebShellAlert alert(String id, int revision, String host, String... lines) {
    return WebShellAlert.newBuilder()
        .setAlertId(id)
        .setRevision(revision)
        .setRuleId("r")
        .setRuleName("n")
        .setRuleVersion("1")
        .setProfile("kql")
        .setSeverity("High")
        .setTactics(List.of())
        .setTechniques(List.of())
        .setDeviceId("dev-" + host)
        .setDeviceName(host + ".contoso.local")
        .setHostName(host)
        .setDnsDomain("contoso.local")
        .setFirstSeen(java.time.Instant.EPOCH)
        .setLastSeen(java.time.Instant.EPOCH)
        .setWindowStart(java.time.Instant.EPOCH)
        .setWindowEnd(java.time.Instant.EPOCH)
        .setMatchCount(lines.length)
        .setCountsExact(true)
        .setFileName("cmd.exe")
        .setFileNames(List.of("cmd.exe"))
        .setInitiatingProcessFileName("w3wp.exe")
        .setInitiatingProcessFileNames(List.of("w3wp.exe"))
        .setInitiatingProcessParentFileName("svchost.exe")
        .setInitiatingProcessParentFileNames(List.of("svchost.exe"))
        .setCommandLines(List.of(lines))
        .setCommandLineCount(lines.length)
        .setTruncated(false)
        .setCommandLinesCut(false)
        .setEvidence(List.of())
        .build();
  }

  @Test
  void shouldPrintOnlyTheCommandLinesThatAreNewInThisRevisionOfTheSameAlert() {
    StringWriter out = new StringWriter();
    AlertPrinter p = new AlertPrinter(new PrintWriter(out), false);

    p.print(alert("6eb01119-4e74-3703-8d62-4a8e2fb0eb8d", 1, "web00005", "cmd /c whoami"));
    p.print(alert("0a0b0c0d-0000-0000-0000-000000000000", 1, "web00010", "cmd /c whoami"));
    p.print(
        alert(
            "6eb01119-4e74-3703-8d62-4a8e2fb0eb8d",
            2,
            "web00005",
            "cmd /c whoami",
            "cmd /c ping x"));

    assertEquals(
        String.join(
            "\n",
            "web00005    alert 6eb01119  rev 1  1 match, 1 command line  svchost.exe > w3wp.exe >"
                + " cmd.exe  NEW ALERT",
            "    + cmd /c whoami",
            "web00010    alert 0a0b0c0d  rev 1  1 match, 1 command line  svchost.exe > w3wp.exe >"
                + " cmd.exe  NEW ALERT",
            "    + cmd /c whoami",
            "web00005    alert 6eb01119  rev 2  2 matches, 2 command lines  svchost.exe > w3wp.exe"
                + " > cmd.exe",
            "    + cmd /c ping x",
            ""),
        out.toString().replace(System.lineSeparator(), "\n"));
    assertEquals(3, p.revisions());
    assertEquals(2, p.alerts());
    assertEquals(2, p.devices());
    assertEquals(List.of("web00005", "web00010"), p.hosts());
  }

  @Test
  void shouldColourTheOutputOnlyWhenAskedTo() {
    StringWriter plain = new StringWriter();
    StringWriter coloured = new StringWriter();
    new AlertPrinter(new PrintWriter(plain), false).print(alert("a", 1, "web00005", "cmd /c x"));
    new AlertPrinter(new PrintWriter(coloured), true).print(alert("a", 1, "web00005", "cmd /c x"));

    assertTrue(!plain.toString().contains("\u001b["), plain.toString());
    assertTrue(coloured.toString().contains("\u001b[32m+ cmd /c x\u001b[0m"), coloured.toString());
  }

  @Test
  void shouldBeListedByTheDetectorCliWhenOnTheClasspath() {
    assertTrue(Main.commandLine().getSubcommands().containsKey("demo"));
  }
}
