package dev.webshell.detector.siem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webshell.detector.cli.Main;
import dev.webshell.schema.WebShellAlert;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `scan --alert-format ocsf|ecs` prints the SIEM forms of exactly the revisions json prints. */
class ScanAlertFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Run(int code, List<String> lines, String err) {}

  static Run scan(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 2];
    all[0] = "scan";
    System.arraycopy(args, 0, all, 1, args.length);
    all[all.length - 1] = "../samples/softcell.jsonl";
    int code = cl.execute(all);
    return new Run(code, out.toString().lines().toList(), err.toString());
  }

  @Test
  void shouldPrintOneValidOcsfFindingPerRevisionMatchingTheJsonRevisions() throws Exception {
    Run run = scan("--alert-format", "ocsf");
    assertEquals(0, run.code(), run.err());
    List<WebShellAlert> expected = OcsfDetectionFindingTest.sampleAlerts();
    assertEquals(expected.size(), run.lines().size());
    for (int i = 0; i < expected.size(); i++) {
      JsonNode f = JSON.readTree(run.lines().get(i));
      assertEquals(List.of(), OcsfDetectionFindingTest.OCSF.validate(f), f.toString());
      assertEquals(JSON.readTree(OcsfDetectionFinding.toBytes(expected.get(i))), f);
    }
  }

  @Test
  void shouldPrintOneValidEcsAlertPerRevisionMatchingTheJsonRevisions() throws Exception {
    Run run = scan("--alert-format", "ECS");
    assertEquals(0, run.code(), run.err());
    List<WebShellAlert> expected = OcsfDetectionFindingTest.sampleAlerts();
    assertEquals(expected.size(), run.lines().size());
    for (int i = 0; i < expected.size(); i++) {
      JsonNode d = JSON.readTree(run.lines().get(i));
      assertEquals(List.of(), EcsAlertTest.ECS.validate(d, EcsAlert.CUSTOM), d.toString());
      assertEquals(JSON.readTree(EcsAlert.toBytes(expected.get(i))), d);
    }
  }

  @Test
  void shouldRefuseAvroWhichIsNotText() {
    Run run = scan("--alert-format", "avro");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("scan prints alerts as text"), run.err());
  }

  @Test
  void shouldNameTheFormatsWhenGivenAnUnknownOne() {
    Run run = scan("--alert-format", "cef");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("unknown alert format 'cef' (avro, json, ocsf, ecs)"), run.err());
  }
}
