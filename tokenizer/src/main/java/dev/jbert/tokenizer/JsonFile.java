package dev.jbert.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A parsed JSON file with typed accessors whose errors name the file and the field. Duplicate keys
 * are errors (a vocabulary with a token twice must not silently keep the last id).
 */
final class JsonFile {

  /**
   * Field names are not canonicalized: a vocabulary's tens of thousands of keys are each seen once,
   * so Jackson's symbol table only cost time, and its parser's field-name path was the costliest
   * method the JIT compiled during a {@code jbert predict} start-up (C2 took 0.76 s of a core on it).
   * Parsing MiniLM's tokenizer.json in a fresh JVM: 324-449 ms and 0.56-0.70 s of CPU so, 429-575 ms
   * and 0.86-1.32 s with the symbol table.
   */
  private static final JsonMapper MAPPER = JsonMapper.builder(
          JsonFactory.builder().disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  final Path path;
  final JsonNode root;

  private JsonFile(Path path, JsonNode root) {
    this.path = path;
    this.root = root;
  }

  /** Reads and parses {@code path}; the root must be a JSON object. */
  static JsonFile read(Path path) throws IOException {
    JsonNode root;
    try (InputStream in = Files.newInputStream(path)) {
      root = MAPPER.readTree(in);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new TokenizerFormatException(path, "malformed JSON" + where + ": " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new TokenizerFormatException(path, "expected a JSON object at the top level");
    }
    return new JsonFile(path, root);
  }

  TokenizerFormatException error(String problem) {
    return new TokenizerFormatException(path, problem);
  }

  /** {@code node.get(field)}, or null when absent or JSON null. */
  static JsonNode optional(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value;
  }

  boolean bool(JsonNode node, String field, String where, boolean fallback) throws TokenizerFormatException {
    JsonNode value = optional(node, field);
    if (value == null) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw error(where + "." + field + " must be true or false, got " + value);
    }
    return value.booleanValue();
  }

  /** A three-valued boolean: null when absent or JSON null. */
  Boolean nullableBool(JsonNode node, String field, String where) throws TokenizerFormatException {
    return optional(node, field) == null ? null : bool(node, field, where, false);
  }

  int nonNegativeInt(JsonNode node, String field, String where, int fallback) throws TokenizerFormatException {
    JsonNode value = optional(node, field);
    if (value == null) {
      return fallback;
    }
    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 0) {
      throw error(where + "." + field + " must be a non-negative integer, got " + value);
    }
    return value.intValue();
  }

  String text(JsonNode node, String field, String where, String fallback) throws TokenizerFormatException {
    JsonNode value = optional(node, field);
    if (value == null) {
      return fallback;
    }
    if (!value.isTextual()) {
      throw error(where + "." + field + " must be a string, got " + value);
    }
    return value.textValue();
  }

  JsonNode object(JsonNode node, String field, String where) throws TokenizerFormatException {
    JsonNode value = optional(node, field);
    if (value != null && !value.isObject()) {
      throw error(where + "." + field + " must be an object, got " + value.getNodeType());
    }
    return value;
  }
}
