package dev.webshell.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the bench prints on stdout: a table of labelled rows, in the order the phases add them, then
 * the figures as one JSON object on the last line (keys in the order they were added).
 */
final class Report {
  private final Map<String, Object> figures = new LinkedHashMap<>();
  private final List<String[]> table = new ArrayList<>();

  /** A figure of the JSON line. */
  void put(String key, Object value) {
    figures.put(key, value);
  }

  /** A row of the table. */
  void row(String what, String value) {
    table.add(new String[] {what, value});
  }

  void print(PrintWriter out) throws JsonProcessingException {
    int w = table.stream().mapToInt(r -> r[0].length()).max().orElse(10);
    out.println("detector bench");
    for (String[] r : table) {
      out.printf("  %-" + w + "s  %s%n", r[0], r[1]);
    }
    out.println(new ObjectMapper().writeValueAsString(figures));
    out.flush();
  }
}
