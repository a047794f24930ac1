package dev.webshell.demo;

import dev.webshell.detector.generator.ProcessTreeTraffic;
import dev.webshell.detector.generator.ProcessTreeTraffic.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The demo's story for {@code --input sysmon}: Windows process trees as Sysmon logs them ({@link
 * ProcessTreeTraffic}: services, IIS, Apache and Tomcat servers, workstations, benign lineages such
 * as {@code w3wp.exe → csc.exe → cvtres.exe}, and Sysmon network, file and termination records and
 * Exchange cmdlet records that are no process creation), with four intrusions at set points of the
 * batch, so that every seed and every batch size shows them:
 *
 * <ul>
 *   <li>10 %: IIS, the grandparent case: {@code w3wp.exe → cmd.exe → powershell.exe -nop -c whoami
 *       /all} (Sysmon carries only the parent; the detector's process tree gives the grandparent);
 *   <li>35 %: Tomcat ({@code Tomcat9.exe}) running {@code cmd.exe} directly;
 *   <li>55 %: Tomcat on {@code java.exe} running {@code cmd.exe}: the {@code kql} profile's blind
 *       spot ({@code java.exe} is no web server to the query), flagged by {@code hardened};
 *   <li>75 %: Apache, the grandparent case again: {@code httpd.exe → cmd.exe → powershell.exe}.
 * </ul>
 *
 * <p>The web servers hit are drawn from the seed among the hosts of each kind. Deterministic for a
 * seed (timestamps aside). After the batch, {@link #next(long)} goes on for {@code --follow}: one
 * more intrusion, in the same order, every {@value DemoScript#FOLLOW_SCENARIO_EVERY} records.
 */
final class SysmonScript implements DemoStory<Record> {
  /** What {@link ProcessTreeTraffic#startIntrusion} calls a shell under the web server. */
  private static final int CHILD = 0;

  /** The grandparent case: web server → cmd.exe → powershell.exe. */
  private static final int GRANDCHILD = 1;

  /** Host index modulo 20 of each web server ({@link ProcessTreeTraffic#hostName}). */
  private static final int IIS = 0;

  private static final int APACHE = 5;
  private static final int TOMCAT = 10;
  private static final int TOMCAT_ON_JAVA = 15;

  private static final int[][] INTRUSIONS = {
    {IIS, GRANDCHILD}, {TOMCAT, CHILD}, {TOMCAT_ON_JAVA, CHILD}, {APACHE, GRANDCHILD}
  };

  private final ProcessTreeTraffic traffic;
  private final Random hostPicker;
  private final int hosts;
  private final long batch;
  private final long[] at;
  private long emitted;
  private int nextFollow;

  SysmonScript(long seed, int hosts, long batch) {
    if (batch < DemoScript.MIN_EVENTS) {
      throw new IllegalArgumentException(
          "at least " + DemoScript.MIN_EVENTS + " records, got " + batch);
    }
    // no intrusion at random, nothing out of order: the story's intrusions are the scripted ones,
    // and a host's records arrive in the order Sysmon logged them (keyed by host)
    this.traffic = new ProcessTreeTraffic(seed, hosts, 0, 0);
    this.hostPicker = new Random(seed);
    this.hosts = hosts;
    this.batch = batch;
    this.at = new long[] {batch / 10, batch * 35 / 100, batch * 55 / 100, batch * 75 / 100};
  }

  @Override
  public boolean batchDone() {
    return emitted >= batch;
  }

  @Override
  public Record next(long utcMicros) {
    if (emitted < batch) {
      for (int i = 0; i < at.length; i++) {
        if (at[i] == emitted) {
          start(INTRUSIONS[i]);
        }
      }
    } else if ((emitted - batch) % DemoScript.FOLLOW_SCENARIO_EVERY
        == DemoScript.FOLLOW_SCENARIO_EVERY / 2) {
      start(INTRUSIONS[nextFollow]);
      nextFollow = (nextFollow + 1) % INTRUSIONS.length;
    }
    emitted++;
    return traffic.next(utcMicros);
  }

  /** The host name in lower case, as {@code generate --key host} writes it. */
  @Override
  public String key(Record record) {
    return record.host().toLowerCase(Locale.ROOT);
  }

  private void start(int[] intrusion) {
    traffic.startIntrusion(webServer(intrusion[0]), intrusion[1]);
  }

  /** A host of that kind drawn from the seed; with too few hosts for that kind, any web server. */
  private int webServer(int kind) {
    List<Integer> candidates = new ArrayList<>();
    for (int i = kind; i < hosts; i += 20) {
      candidates.add(i);
    }
    if (candidates.isEmpty()) {
      for (int i = 0; i < hosts; i += 5) {
        candidates.add(i);
      }
    }
    return candidates.get(hostPicker.nextInt(candidates.size()));
  }
}
