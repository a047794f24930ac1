package dev.webshell.testkit.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerMainTest {

  @Test
  void childJvmAnnouncesThreeBrokersOnStdoutAndPortFileAndStopsWhenStdinCloses(@TempDir Path dir)
      throws Exception {
    Path portFile = dir.resolve("kafka.port");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                KafkaBrokerMain.class.getName(),
                "--brokers",
                "3",
                "--port-file",
                portFile.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    long t0 = System.nanoTime();
    Process process = pb.start();
    try {
      BufferedReader stdout =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String bootstrap =
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return stdout.readLine();
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .get(90, TimeUnit.SECONDS);
      long readyMs = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(bootstrap.matches("localhost:\\d+(,localhost:\\d+){2}"), bootstrap);
      assertEquals(bootstrap, Files.readAllLines(portFile).get(0));

      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        assertEquals(3, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
      }
      System.out.printf(
          "child JVM with 3 brokers: ready %d ms after launch (JVM start included), %s%n",
          readyMs, processMemory(process.pid()));

      process.getOutputStream().close(); // stdin EOF asks the child to shut down
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "child stopped after stdin closed");
      assertEquals(0, process.exitValue());
      assertFalse(Files.exists(portFile), "port file removed on exit");
    } finally {
      process.destroyForcibly();
    }
  }

  /** VmRSS and VmHWM of a process, from /proc (Linux). */
  private static String processMemory(long pid) throws Exception {
    File status = new File("/proc/" + pid + "/status");
    if (!status.exists()) {
      return "RSS unknown";
    }
    StringBuilder sb = new StringBuilder();
    for (String line : Files.readAllLines(status.toPath())) {
      if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:") || line.startsWith("Threads:")) {
        sb.append(line.replaceAll("\\s+", " ")).append("; ");
      }
    }
    return sb.toString();
  }
}
