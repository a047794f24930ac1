package dev.webshell.detector.siem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The MITRE ATT&amp;CK (Enterprise) tactics and the techniques a web-shell rule is likely to name,
 * with their published ids and names (attack.mitre.org). A rule card names tactics the way Sentinel
 * does ({@code DefenseEvasion}); the SIEM schemas want ids ({@code TA0005}), names ({@code Defense
 * Evasion}) and links. A technique outside this table is still carried by its id, without a name.
 */
public final class MitreAttack {
  private static final String SITE = "https://attack.mitre.org/";
  private static final Pattern TECHNIQUE_ID = Pattern.compile("T\\d{4}(\\.\\d{3})?");

  /** An ATT&amp;CK tactic: {@code TA0002} Execution. */
  public record Tactic(String id, String name) {
    public String url() {
      return SITE + "tactics/" + id + "/";
    }
  }

  /**
   * A technique ({@code T1059}) or sub-technique ({@code T1059.003}); {@code name} is null when the
   * id is not in the table.
   */
  public record Technique(String id, String name, List<String> tacticIds) {
    public boolean isSubTechnique() {
      return id.indexOf('.') > 0;
    }

    /** {@code T1059} for {@code T1059.003}; the id itself for a technique. */
    public String parentId() {
      int dot = id.indexOf('.');
      return dot < 0 ? id : id.substring(0, dot);
    }

    public String url() {
      return SITE + "techniques/" + id.replace('.', '/') + "/";
    }
  }

  /**
   * One (tactic, technique) pair of a rule, as OCSF's {@code attack} object holds it. {@code
   * tactic} is null for a technique none of whose tactics the rule names; {@code technique} is null
   * for a tactic none of the rule's techniques belongs to. {@code tacticName} is the rule's own
   * spelling when the tactic is not a known one (then {@code tactic} is null too).
   */
  public record Attack(Tactic tactic, String tacticName, Technique technique) {}

  private static final Map<String, Tactic> TACTICS = new LinkedHashMap<>();
  private static final Map<String, Technique> TECHNIQUES = new LinkedHashMap<>();

  static {
    tactic("TA0043", "Reconnaissance");
    tactic("TA0042", "Resource Development");
    tactic("TA0001", "Initial Access");
    tactic("TA0002", "Execution");
    tactic("TA0003", "Persistence");
    tactic("TA0004", "Privilege Escalation");
    tactic("TA0005", "Defense Evasion");
    tactic("TA0006", "Credential Access");
    tactic("TA0007", "Discovery");
    tactic("TA0008", "Lateral Movement");
    tactic("TA0009", "Collection");
    tactic("TA0011", "Command and Control");
    tactic("TA0010", "Exfiltration");
    tactic("TA0040", "Impact");

    technique("T1016", "System Network Configuration Discovery", "TA0007");
    technique("T1018", "Remote System Discovery", "TA0007");
    technique("T1027", "Obfuscated Files or Information", "TA0005");
    technique("T1033", "System Owner/User Discovery", "TA0007");
    technique("T1047", "Windows Management Instrumentation", "TA0002");
    technique("T1049", "System Network Connections Discovery", "TA0007");
    technique("T1057", "Process Discovery", "TA0007");
    technique("T1059", "Command and Scripting Interpreter", "TA0002");
    technique("T1059.001", "PowerShell", "TA0002");
    technique("T1059.003", "Windows Command Shell", "TA0002");
    technique("T1069", "Permission Groups Discovery", "TA0007");
    technique("T1069.001", "Local Groups", "TA0007");
    technique("T1069.002", "Domain Groups", "TA0007");
    technique("T1082", "System Information Discovery", "TA0007");
    technique("T1087", "Account Discovery", "TA0007");
    technique("T1087.001", "Local Account", "TA0007");
    technique("T1087.002", "Domain Account", "TA0007");
    technique("T1105", "Ingress Tool Transfer", "TA0011");
    technique("T1140", "Deobfuscate/Decode Files or Information", "TA0005");
    technique("T1190", "Exploit Public-Facing Application", "TA0001");
    technique("T1505", "Server Software Component", "TA0003");
    technique("T1505.003", "Web Shell", "TA0003");
    technique("T1574", "Hijack Execution Flow", "TA0003", "TA0004", "TA0005");
  }

  private MitreAttack() {}

  private static void tactic(String id, String name) {
    Tactic t = new Tactic(id, name);
    TACTICS.put(id, t);
    TACTICS.put(key(name), t);
  }

  private static void technique(String id, String name, String... tactics) {
    TECHNIQUES.put(id, new Technique(id, name, List.of(tactics)));
  }

  /** Letters and digits only, lower case: {@code DefenseEvasion}, {@code defense-evasion} alike. */
  private static String key(String name) {
    StringBuilder b = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 128 && Character.isLetterOrDigit(c)) {
        b.append(Character.toLowerCase(c));
      }
    }
    return b.toString();
  }

  /**
   * The tactic a rule card names: {@code DefenseEvasion}, {@code Defense Evasion}, {@code
   * defense-evasion} or {@code TA0005}; empty when unknown.
   */
  public static Optional<Tactic> tactic(String ruleValue) {
    if (ruleValue == null) {
      return Optional.empty();
    }
    String v = ruleValue.trim();
    Tactic byId = TACTICS.get(v.toUpperCase(Locale.ROOT));
    return Optional.ofNullable(byId != null ? byId : TACTICS.get(key(v)));
  }

  /**
   * The technique with this id ({@code T1059}, {@code T1059.003}); a well-formed id outside the
   * table gives a technique without name or tactics; anything else is empty.
   */
  public static Optional<Technique> technique(String id) {
    if (id == null) {
      return Optional.empty();
    }
    String v = id.trim().toUpperCase(Locale.ROOT);
    Technique known = TECHNIQUES.get(v);
    if (known != null) {
      return Optional.of(known);
    }
    return TECHNIQUE_ID.matcher(v).matches()
        ? Optional.of(new Technique(v, null, List.of()))
        : Optional.empty();
  }

  /**
   * Pairs each technique with those of the rule's tactics it belongs to (one pair each), then adds
   * every rule tactic left without a technique, and every technique left without a tactic.
   */
  public static List<Attack> attacks(List<String> ruleTactics, List<String> ruleTechniques) {
    Map<String, Tactic> known = new LinkedHashMap<>();
    List<String> unknownTactics = new ArrayList<>();
    for (String t : ruleTactics) {
      Optional<Tactic> tactic = tactic(t);
      if (tactic.isPresent()) {
        known.putIfAbsent(tactic.get().id(), tactic.get());
      } else if (t != null && !t.isBlank()) {
        unknownTactics.add(t.trim());
      }
    }
    List<Attack> attacks = new ArrayList<>();
    Set<String> usedTactics = new LinkedHashSet<>();
    for (String id : ruleTechniques) {
      Optional<Technique> technique = technique(id);
      if (technique.isEmpty()) {
        continue;
      }
      boolean paired = false;
      for (String tacticId : technique.get().tacticIds()) {
        Tactic tactic = known.get(tacticId);
        if (tactic != null) {
          attacks.add(new Attack(tactic, tactic.name(), technique.get()));
          usedTactics.add(tacticId);
          paired = true;
        }
      }
      if (!paired) {
        attacks.add(new Attack(null, null, technique.get()));
      }
    }
    for (Tactic t : known.values()) {
      if (!usedTactics.contains(t.id())) {
        attacks.add(new Attack(t, t.name(), null));
      }
    }
    for (String name : unknownTactics) {
      attacks.add(new Attack(null, name, null));
    }
    return attacks;
  }
}
