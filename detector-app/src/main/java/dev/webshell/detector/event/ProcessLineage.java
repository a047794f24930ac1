package dev.webshell.detector.event;

import java.util.Locale;
import java.util.Objects;

/**
 * Where a process sits in its host's process tree, for the inputs that carry only the parent
 * (Sysmon, ECS, Windows Security 4688). Defender rows carry the grandparent themselves and have no
 * lineage ({@code null}).
 *
 * <p>The contract the per-host process tree relies on:
 *
 * <ul>
 *   <li>Keys are compared only within one host ({@link ProcessEvent#deviceId()}) and one {@link
 *       #kind()}; a key of one kind never equals a key of the other.
 *   <li>{@link KeyKind#GUID}: {@code processKey} is the process's Sysmon {@code ProcessGuid} (ECS
 *       {@code process.entity_id}), {@code parentProcessKey} its {@code ParentProcessGuid} ({@code
 *       process.parent.entity_id}). A GUID names one process for the life of the host: the parent's
 *       creation is the event whose {@code processKey} equals this {@code parentProcessKey}.
 *   <li>{@link KeyKind#PID}: {@code processKey} is the new process's id, {@code parentProcessKey}
 *       the creator's, both in decimal (4688's hexadecimal {@code 0x1a4} becomes {@code "420"}).
 *       Process ids are reused, so the parent's creation is the latest event on the same host,
 *       before this one, whose {@code processKey} equals this {@code parentProcessKey}.
 *   <li>The grandparent of an event is the {@link ProcessEvent#initiatingProcessFileName()} of its
 *       parent's creation: the mapping of the parent's own {@code ParentImage} (4688: {@code
 *       ParentProcessName}; ECS: {@code process.parent.executable}), already reduced to its last
 *       path element with case kept, exactly as this event's {@code InitiatingProcessFileName} is.
 * </ul>
 *
 * @param kind how the keys identify processes; never null
 * @param processKey this process; null when the record does not say
 * @param parentProcessKey the process that created it; null when the record does not say
 */
public record ProcessLineage(KeyKind kind, String processKey, String parentProcessKey) {

  /** How the keys identify a process. */
  public enum KeyKind {
    /**
     * Sysmon {@code ProcessGuid} / ECS {@code entity_id}, normalised: surrounding braces removed
     * and ASCII letters lower-cased, so {@code {9F32B55F-7C4E-5F98-5803-000000000500}} and {@code
     * 9f32b55f-7c4e-5f98-5803-000000000500} are one key.
     */
    GUID,
    /** A process id in decimal, without leading zeros. */
    PID
  }

  public ProcessLineage {
    Objects.requireNonNull(kind, "kind");
  }

  /** A GUID lineage, or {@code null} when neither key is known. */
  static ProcessLineage guid(String process, String parent) {
    String p = normaliseGuid(process);
    String pp = normaliseGuid(parent);
    return p == null && pp == null ? null : new ProcessLineage(KeyKind.GUID, p, pp);
  }

  /** A PID lineage, or {@code null} when neither id is known. */
  static ProcessLineage pid(Long process, Long parent) {
    return process == null && parent == null
        ? null
        : new ProcessLineage(
            KeyKind.PID,
            process == null ? null : Long.toString(process),
            parent == null ? null : Long.toString(parent));
  }

  /**
   * The lineage of a creation the rule's screen set aside ({@link
   * RecordScreen#mayMatterToTheTree}): of {@code kind}, without keys, because nothing will look
   * them up; {@code null} unless {@code named}, so that it is null exactly where the lineage read
   * whole would be.
   */
  static ProcessLineage keyless(KeyKind kind, boolean named) {
    return named ? new ProcessLineage(kind, null, null) : null;
  }

  /** Whether {@link #normaliseGuid} gives a key for {@code g}, found without building it. */
  static boolean namesGuid(String g) {
    if (g == null) {
      return false;
    }
    long span = keySpan(g);
    return (int) (span >>> 32) < (int) span;
  }

  /**
   * Where the key lies in {@code g}: trimmed (String.trim's whitespace: every character up to ' '),
   * one pair of braces dropped and trimmed again; {@code from << 32 | to}, empty when they are
   * equal.
   */
  private static long keySpan(String g) {
    int from = 0;
    int to = g.length();
    while (from < to && g.charAt(from) <= ' ') {
      from++;
    }
    while (to > from && g.charAt(to - 1) <= ' ') {
      to--;
    }
    if (to - from >= 2 && g.charAt(from) == '{' && g.charAt(to - 1) == '}') {
      from++;
      to--;
      while (from < to && g.charAt(from) <= ' ') {
        from++;
      }
      while (to > from && g.charAt(to - 1) <= ' ') {
        to--;
      }
    }
    return (long) from << 32 | to;
  }

  static String normaliseGuid(String g) {
    if (g == null) {
      return null;
    }
    long span = keySpan(g);
    int from = (int) (span >>> 32);
    int to = (int) span;
    if (from >= to) {
      return null;
    }
    String s = g.substring(from, to);
    boolean upper = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean hex = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
      if (!hex && c != '-') {
        return s; // not a GUID (Elastic Defend's base64 entity ids): its case matters
      }
      upper |= c >= 'A' && c <= 'F';
    }
    // only hex digits and dashes: lower case maps exactly A-F to a-f (Sysmon writes upper case)
    return upper ? s.toLowerCase(Locale.ROOT) : s;
  }
}
