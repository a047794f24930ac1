package dev.webshell.detector.siem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MitreAttackTest {
  @Test
  void shouldReadTacticsAsRuleCardsSpellThem() {
    for (String spelling :
        List.of("DefenseEvasion", "Defense Evasion", "defense-evasion", "TA0005")) {
      assertEquals("TA0005", MitreAttack.tactic(spelling).orElseThrow().id(), spelling);
      assertEquals("Defense Evasion", MitreAttack.tactic(spelling).orElseThrow().name());
    }
    assertEquals("TA0011", MitreAttack.tactic("CommandAndControl").orElseThrow().id());
    assertTrue(MitreAttack.tactic("Blending In").isEmpty());
  }

  @Test
  void shouldKnowTheRuleCardsTechniquesAndCarryOtherWellFormedIdsWithoutAName() {
    assertEquals(
        "Command and Scripting Interpreter", MitreAttack.technique("T1059").orElseThrow().name());
    assertEquals("Hijack Execution Flow", MitreAttack.technique("t1574").orElseThrow().name());
    assertEquals("Account Discovery", MitreAttack.technique("T1087").orElseThrow().name());
    assertEquals(
        "System Information Discovery", MitreAttack.technique("T1082").orElseThrow().name());
    MitreAttack.Technique webShell = MitreAttack.technique("T1505.003").orElseThrow();
    assertEquals("T1505", webShell.parentId());
    assertEquals("https://attack.mitre.org/techniques/T1505/003/", webShell.url());
    assertEquals(null, MitreAttack.technique("T1999").orElseThrow().name());
    assertTrue(MitreAttack.technique("1059").isEmpty());
  }

  @Test
  void shouldPairATechniqueWithEachOfTheRulesTacticsItBelongsToAndKeepTheRest() {
    List<MitreAttack.Attack> attacks =
        MitreAttack.attacks(
            List.of("Persistence", "DefenseEvasion", "Impact"), List.of("T1574", "T1999"));
    assertEquals(4, attacks.size());
    assertEquals("TA0003", attacks.get(0).tactic().id());
    assertEquals("T1574", attacks.get(0).technique().id());
    assertEquals("TA0005", attacks.get(1).tactic().id());
    assertEquals("T1574", attacks.get(1).technique().id());
    assertEquals(null, attacks.get(2).tactic());
    assertEquals("T1999", attacks.get(2).technique().id());
    assertEquals("TA0040", attacks.get(3).tactic().id());
    assertEquals(null, attacks.get(3).technique());
  }
}
