package dev.webshell.demo;

import dev.webshell.schema.WebShellAlert;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prints alert revisions for a person: one header line (device, short alert id, revision, counts,
 * the process chain of the first match) and the command lines that are new in this revision,
 * compared with the previous revision of the same alert. ANSI colour only when asked for. Keeps the
 * figures the summary needs. Thread-safe.
 */
final class AlertPrinter {
  private static final String RESET = "\u001b[0m";
  private static final String BOLD = "\u001b[1m";
  private static final String DIM = "\u001b[2m";
  private static final String RED = "\u001b[31m";
  private static final String GREEN = "\u001b[32m";
  private static final String YELLOW = "\u001b[33m";

  private final PrintWriter out;
  private final boolean color;
  private final Map<String, Set<String>> linesByAlert = new HashMap<>();
  private final Set<String> devices = new LinkedHashSet<>();
  private final Set<String> hosts = new LinkedHashSet<>();
  private long revisions;

  AlertPrinter(PrintWriter out, boolean color) {
    this.out = out;
    this.color = color;
  }

  /** Prints one revision and flushes. */
  synchronized void print(WebShellAlert a) {
    revisions++;
    devices.add(a.getDeviceId());
    String host = a.getHostName() != null ? a.getHostName() : a.getDeviceId();
    hosts.add(host);
    Set<String> seen = linesByAlert.computeIfAbsent(a.getAlertId(), k -> new LinkedHashSet<>());
    List<String> fresh = new ArrayList<>();
    for (String line : a.getCommandLines()) {
      if (seen.add(line)) {
        fresh.add(line);
      }
    }
    boolean opened = a.getRevision() == 1;
    StringBuilder header = new StringBuilder();
    header
        .append(paint(BOLD + (opened ? RED : YELLOW), String.format("%-10s", host)))
        .append("  alert ")
        .append(paint(DIM, shortId(a.getAlertId())))
        .append("  rev ")
        .append(paint(BOLD, Integer.toString(a.getRevision())))
        .append("  ")
        .append(plural(a.getMatchCount(), "match", "matches"))
        .append(", ")
        .append(plural(a.getCommandLineCount(), "command line", "command lines"))
        .append("  ")
        .append(
            paint(
                DIM,
                chain(
                    a.getInitiatingProcessParentFileName(),
                    a.getInitiatingProcessFileName(),
                    a.getFileName())));
    if (opened) {
      header.append("  ").append(paint(BOLD + RED, "NEW ALERT"));
    }
    out.println(header);
    for (String line : fresh) {
      out.println("    " + paint(GREEN, "+ " + line));
    }
    if (fresh.isEmpty()) {
      out.println("    " + paint(DIM, "(no new command line: an older one left the window)"));
    }
    int unlisted = a.getCommandLineCount() - a.getCommandLines().size();
    if (unlisted > 0) {
      out.println("    " + paint(DIM, "(" + unlisted + " more command lines not listed)"));
    }
    out.flush();
  }

  synchronized long revisions() {
    return revisions;
  }

  synchronized int alerts() {
    return linesByAlert.size();
  }

  synchronized int devices() {
    return devices.size();
  }

  /** Host names (or device ids) alerted, in order of their first revision. */
  synchronized List<String> hosts() {
    return List.copyOf(hosts);
  }

  String paint(String style, String text) {
    return color ? style + text + RESET : text;
  }

  static String shortId(String alertId) {
    return alertId.length() > 8 ? alertId.substring(0, 8) : alertId;
  }

  static String plural(long n, String one, String many) {
    return String.format("%,d %s", n, n == 1 ? one : many);
  }

  private static String chain(String... names) {
    StringBuilder b = new StringBuilder();
    for (String n : names) {
      if (n != null) {
        b.append(b.length() == 0 ? "" : " > ").append(n);
      }
    }
    return b.toString();
  }
}
