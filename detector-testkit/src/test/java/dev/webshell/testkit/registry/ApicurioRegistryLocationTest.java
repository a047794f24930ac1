package dev.webshell.testkit.registry;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApicurioRegistryLocationTest {

  @Test
  void buildUnpacksTheDistributionWhereStartLooksForIt() throws Exception {
    Path home = ApicurioRegistry.home();
    try (var files = Files.list(home)) {
      assertTrue(
          files.anyMatch(f -> f.getFileName().toString().endsWith("-runner.jar")),
          "no runner jar in " + home);
    }
  }

  @Test
  void missingDistributionIsReportedWithTheDirectoryAndHowToGetIt(@TempDir Path empty) {
    String before = System.getProperty(ApicurioRegistry.HOME_PROPERTY);
    System.setProperty(ApicurioRegistry.HOME_PROPERTY, empty.toString());
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class, ApicurioRegistry::start);
      assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("apicurio-registry-app"), e.getMessage());
    } finally {
      if (before == null) {
        System.clearProperty(ApicurioRegistry.HOME_PROPERTY);
      } else {
        System.setProperty(ApicurioRegistry.HOME_PROPERTY, before);
      }
    }
  }
}
