package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;

/** Checks that every key of a JSON document is snake_case, as Hugging Face names metrics and outputs. */
final class SnakeCase {

  private SnakeCase() {}

  /** Fails naming the first key (with its path) that is not snake_case, e.g. {@code /classification/macroF1}. */
  static void assertKeys(JsonNode node, String where) {
    check(node, where, "");
  }

  private static void check(JsonNode node, String where, String path) {
    node.fields().forEachRemaining(field -> {
      String at = path + "/" + field.getKey();
      assertTrue(field.getKey().matches("[a-z][a-z0-9]*(_[a-z0-9]+)*"), where + ": key " + at + " is not snake_case");
      check(field.getValue(), where, at);
    });
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        check(node.get(i), where, path + "/" + i);
      }
    }
  }
}
