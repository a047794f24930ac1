package dev.webshell.detector.rule;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule file's YAML as a tiny tree whose every value remembers its line and its dotted key path,
 * so that each problem the schema finds can name both (Jackson's own tree model keeps no lines).
 * Problems of the YAML itself (not YAML, empty, several documents, a duplicate key) are reported
 * here, as one {@link RuleFileException} line.
 */
final class YamlTree {
  private YamlTree() {}

  /** Reads the one YAML document of {@code reader}; {@code source} names it in errors. */
  static Node read(String source, Reader reader) throws IOException {
    Node root;
    YAMLFactory factory = new YAMLFactory();
    try (JsonParser p = factory.createParser(reader)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new RuleFileException(source, 1, null, "empty rule file");
      }
      root = read(source, p, "");
      if (p.nextToken() != null) {
        throw new RuleFileException(
            source, line(p), null, "more than one YAML document: a rule file holds one rule");
      }
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new RuleFileException(
          source,
          line,
          null,
          "not valid YAML: " + e.getOriginalMessage().replaceAll("\\s+", " ").trim(),
          e);
    }
    return root;
  }

  enum Kind {
    MAPPING("a mapping"),
    LIST("a list"),
    STRING("a string"),
    INTEGER("an integer"),
    NUMBER("a number"),
    BOOLEAN("true or false"),
    NULL("nothing");

    final String text;

    Kind(String text) {
      this.text = text;
    }
  }

  /** A value and the line it starts on; {@code path} is its dotted key path. */
  record Node(
      Kind kind,
      int line,
      String path,
      String text,
      Map<String, Node> mapping,
      List<Node> list,
      boolean bigInteger) {}

  private static int line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }

  private static Node read(String source, JsonParser p, String path) throws IOException {
    int line = line(p);
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        Map<String, Node> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          int keyLine = line(p);
          String keyPath = path.isEmpty() ? key : path + "." + key;
          p.nextToken();
          Node value = read(source, p, keyPath);
          if (map.containsKey(key)) {
            throw new RuleFileException(
                source,
                keyLine,
                keyPath,
                "duplicate key '" + keyPath + "' (first on line " + map.get(key).line() + ")");
          }
          // a mapping entry is reported on its key's line, wherever its value starts
          map.put(key, withLine(value, keyLine));
        }
        return new Node(Kind.MAPPING, line, path, null, map, null, false);
      }
      case START_ARRAY -> {
        List<Node> list = new ArrayList<>();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(read(source, p, path + "[" + i++ + "]"));
        }
        return new Node(Kind.LIST, line, path, null, null, list, false);
      }
      case VALUE_STRING -> {
        return new Node(Kind.STRING, line, path, p.getText(), null, null, false);
      }
      case VALUE_NUMBER_INT -> {
        boolean big = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER;
        return new Node(Kind.INTEGER, line, path, p.getText(), null, null, big);
      }
      case VALUE_NUMBER_FLOAT -> {
        return new Node(Kind.NUMBER, line, path, p.getText(), null, null, false);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new Node(Kind.BOOLEAN, line, path, p.getText(), null, null, false);
      }
      case VALUE_NULL -> {
        return new Node(Kind.NULL, line, path, null, null, null, false);
      }
      default ->
          throw new RuleFileException(
              source, line, path, "unsupported YAML value at '" + path + "': " + t);
    }
  }

  private static Node withLine(Node n, int line) {
    return new Node(n.kind(), line, n.path(), n.text(), n.mapping(), n.list(), n.bigInteger());
  }
}
