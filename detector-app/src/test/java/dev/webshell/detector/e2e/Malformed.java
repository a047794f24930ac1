package dev.webshell.detector.e2e;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Inputs the detector must survive, each a dead letter; and a valid but huge event. */
public final class Malformed {
  private Malformed() {}

  private static final String VALID =
      "{\"Timestamp\":\"2026-11-02T01:00:00Z\",\"DeviceId\":\"dev-malformed\","
          + "\"DeviceName\":\"web-m.contoso.local\",\"ActionType\":\"ProcessCreated\","
          + "\"FileName\":\"cmd.exe\",\"ProcessCommandLine\":\"cmd.exe /c whoami\","
          + "\"InitiatingProcessFileName\":\"w3wp.exe\","
          + "\"InitiatingProcessParentFileName\":\"svchost.exe\",\"ReportId\":7,\"ProcessId\":9}";

  /** Name → value of records that cannot be read; none needs a schema registry to be rejected. */
  public static Map<String, byte[]> samples() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("plain text", utf8("this is not an event, just a line of text\n"));
    m.put("truncated JSON", utf8(VALID.substring(0, VALID.length() / 2)));
    m.put("JSON array", utf8("[" + VALID + "]"));
    m.put("JSON number", utf8("42"));
    m.put("JSON string", utf8("\"cmd.exe /c whoami\""));
    m.put("JSON null", utf8("null"));
    m.put("missing fields", utf8("{\"FileName\":\"cmd.exe\",\"ProcessCommandLine\":\"whoami\"}"));
    m.put("bad timestamp", utf8(VALID.replace("2026-11-02T01:00:00Z", "yesterday at noon")));
    m.put(
        "envelope whose properties is a string",
        utf8(
            "{\"records\":[{\"time\":\"2026-11-02T01:00:00Z\","
                + "\"category\":\"AdvancedHunting-DeviceProcessEvents\","
                + "\"properties\":\"{\\\"DeviceId\\\":\\\"x\\\"}\"}]}"));
    byte[] avroLike = new byte[40];
    new Random(7).nextBytes(avroLike);
    avroLike[0] = 0;
    avroLike[1] = 0x7f;
    avroLike[2] = (byte) 0xff;
    avroLike[3] = (byte) 0xff;
    avroLike[4] = (byte) 0xfe;
    m.put("Avro with an unknown schema id", avroLike);
    byte[] wrongMagic = avroLike.clone();
    wrongMagic[0] = 1;
    m.put("Avro with a wrong magic byte", wrongMagic);
    byte[] junk = new byte[300];
    new Random(11).nextBytes(junk);
    junk[0] = 7;
    m.put("binary junk", junk);
    m.put("empty value", new byte[0]);
    m.put("JSON nested 50,000 levels deep", deeplyNested(50_000));
    return m;
  }

  /** A valid event with a {@code commandChars}-character command line that matches the rule. */
  public static byte[] hugeCommandLine(String deviceId, int commandChars) {
    char[] pad = new char[commandChars - "cmd.exe /c whoami ".length()];
    Arrays.fill(pad, 'A');
    return utf8(
        VALID
            .replace("dev-malformed", deviceId)
            .replace("cmd.exe /c whoami", "cmd.exe /c whoami " + new String(pad)));
  }

  static byte[] deeplyNested(int depth) {
    StringBuilder b = new StringBuilder(VALID.length() + 2 * depth + 16);
    b.append(VALID, 0, VALID.length() - 1).append(",\"Nested\":");
    b.append("[".repeat(depth)).append("]".repeat(depth)).append('}');
    return utf8(b.toString());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
