package dev.webshell.detector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class OptionalSubcommandsTest {

  @Test
  void shouldAddAnOptionalCommandWhoseClassIsPresentAndSkipOneThatIsMissing() {
    CommandLine cl = new CommandLine(CommandLine.Model.CommandSpec.create().name("root"));

    List<String> added =
        Main.addOptionalSubcommands(
            cl, List.of("dev.webshell.nowhere.BenchCommand", ScanCommand.class.getName()));

    assertEquals(List.of("scan"), added);
    assertTrue(cl.getSubcommands().containsKey("scan"));
  }

  @Test
  void shouldNotListDemoWhenItsModuleIsNotOnTheClasspath() {
    // detector-app's own classpath never holds detector-demo (the production artifact)
    assertFalse(Main.commandLine().getSubcommands().containsKey("demo"));
  }
}
