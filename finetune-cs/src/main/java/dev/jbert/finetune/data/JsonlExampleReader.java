package dev.jbert.finetune.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jbert.finetune.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@link Example}s from a JSON Lines file: one JSON object per physical line; empty lines are
 * skipped. Text, pair and a classification label are strings (an integer label such as {@code 1} is
 * read as the label {@code "1"}); a score is a number or a numeric string; context is an array of
 * strings, oldest turn first.
 */
final class JsonlExampleReader {

  private JsonlExampleReader() {}

  static List<Example> read(Path file, ReadOptions options) {
    String text = TextFiles.readUtf8(file);
    String[] lines = text.split("\n", -1);
    List<Example> examples = new ArrayList<>();
    boolean contextSeen = false;
    for (int i = 0; i < lines.length; i++) {
      String raw = lines[i].strip();
      if (raw.isEmpty()) {
        continue;
      }
      long line = i + 1L;
      JsonNode record = parse(file, line, raw);
      JsonNode contextNode = options.contextColumn() == null ? null : record.get(options.contextColumn());
      contextSeen |= contextNode != null;
      examples.add(toExample(file, line, record, contextNode, options));
    }
    if (examples.isEmpty()) {
      throw new DataFileException(file, 1, "empty file: no JSON lines");
    }
    if (options.contextColumn() != null && !contextSeen) {
      throw new DataFileException(file, 1, "no record has the field '" + options.contextColumn() + "'");
    }
    return examples;
  }

  private static JsonNode parse(Path file, long line, String raw) {
    JsonNode record;
    try {
      record = Json.MAPPER.readTree(raw);
    } catch (JsonProcessingException e) {
      throw new DataFileException(file, line, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (record == null || !record.isObject()) {
      throw new DataFileException(file, line, "expected a JSON object, found " + (record == null ? "nothing" : record.getNodeType()));
    }
    return record;
  }

  private static Example toExample(Path file, long line, JsonNode record, JsonNode contextNode, ReadOptions options) {
    String text = FieldValues.requireText(file, line, options.textColumn(), string(file, line, record, options.textColumn()));
    String pair = options.pairColumn() == null
        ? null
        : FieldValues.requireText(file, line, options.pairColumn(), string(file, line, record, options.pairColumn()));
    List<String> context = turns(file, line, options.contextColumn(), contextNode);
    String label = null;
    Double score = null;
    if (options.labelColumn() != null && options.regression()) {
      score = score(file, line, record, options.labelColumn());
    } else if (options.labelColumn() != null) {
      label = FieldValues.requireText(file, line, options.labelColumn(), labelText(file, line, record, options.labelColumn()));
    }
    return new Example(text, pair, context, label, score, file, line);
  }

  /** A string field's value; null when the field is missing (reported by the caller). */
  private static String string(Path file, long line, JsonNode record, String field) {
    JsonNode node = record.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new DataFileException(file, line, "'" + field + "' must be a string, found " + node.getNodeType());
    }
    return node.textValue();
  }

  private static String labelText(Path file, long line, JsonNode record, String field) {
    JsonNode node = record.get(field);
    if (node != null && (node.isIntegralNumber() || node.isBoolean())) {
      return node.asText();
    }
    return string(file, line, record, field);
  }

  private static double score(Path file, long line, JsonNode record, String field) {
    JsonNode node = record.get(field);
    if (node != null && node.isNumber()) {
      return FieldValues.requireFinite(file, line, field, node.doubleValue());
    }
    return FieldValues.requireScore(file, line, field, string(file, line, record, field));
  }

  private static List<String> turns(Path file, long line, String field, JsonNode node) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new DataFileException(file, line, "'" + field + "' must be an array of strings (earlier turns, oldest first)");
    }
    List<String> turns = new ArrayList<>(node.size());
    for (JsonNode turn : node) {
      if (!turn.isTextual()) {
        throw new DataFileException(file, line, "'" + field + "' must hold only strings, found " + turn.getNodeType());
      }
      String trimmed = turn.textValue().strip();
      if (!trimmed.isEmpty()) {
        turns.add(trimmed);
      }
    }
    return turns;
  }
}
