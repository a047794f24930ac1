package dev.webshell.detector.rule;

import java.util.List;
import java.util.Objects;

/**
 * A lineage value that counts as a web server only when the process's own command line shows it:
 * {@code java.exe} is a web server when it runs Tomcat ({@code
 * org.apache.catalina.startup.Bootstrap}, {@code -Dcatalina.home=...}), and an ordinary program
 * otherwise.
 *
 * <p>Only the initiating process is tested: a {@code DeviceProcessEvents} row carries {@code
 * InitiatingProcessCommandLine} but not the command line of the initiating process's parent.
 *
 * @param fileName the process file name, compared like the other lineage values (case-sensitive
 *     unless the rule's lineage ignores case)
 * @param commandLineHasAny {@code InitiatingProcessCommandLine has} any of these (KQL {@code has}
 *     semantics, ignoring ASCII case)
 */
public record ConditionalWebServer(String fileName, List<String> commandLineHasAny) {
  public ConditionalWebServer {
    Objects.requireNonNull(fileName, "fileName");
    commandLineHasAny = List.copyOf(commandLineHasAny);
    if (fileName.isEmpty() || commandLineHasAny.isEmpty()) {
      throw new IllegalArgumentException(
          "a conditional web server needs a file name and command-line tokens");
    }
  }
}
