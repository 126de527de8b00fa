package dev.jbert.serve;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.tokenizer.Side;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads request bodies: strict JSON (no duplicate keys, nothing after the value), and fields with the
 * type and range each route needs. Every refusal is an {@link ApiError} that names the field, e.g.
 * {@code texts[2] must be a string, got number}. Unknown fields are ignored, as the clients of
 * text-embeddings-inference and OpenAI send extras ({@code user}).
 */
final class Fields {

  /** The mapper for responses and requests. */
  static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8) // an emoji as itself, not as two escaped halves
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private static final ObjectReader READER = JSON.readerFor(JsonNode.class);

  private Fields() {}

  /**
   * The body as a JSON object.
   *
   * @throws ApiError 400 when it is not JSON, 422 when it is JSON but not an object
   */
  static ObjectNode object(byte[] body) {
    if (body.length == 0) {
      throw ApiError.badRequest("the request has no body; send a JSON object");
    }
    JsonNode node;
    try {
      node = READER.readValue(body);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw ApiError.badRequest("the body is not valid JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiError.badRequest("the body cannot be read: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiError.validation("the body must be a JSON object, got " + typeName(node));
    }
    return (ObjectNode) node;
  }

  /** JSON's name for the type of {@code node}. */
  static String typeName(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    JsonNodeType t = node.getNodeType();
    return switch (t) {
      case ARRAY -> "array";
      case OBJECT, POJO -> "object";
      case STRING -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "boolean";
      case NULL -> "null";
      default -> t.name().toLowerCase(Locale.ROOT);
    };
  }

  /** Whether the field is absent or null. */
  static boolean absent(ObjectNode body, String field) {
    JsonNode n = body.get(field);
    return n == null || n.isNull();
  }

  /** A non-blank text at {@code where}. */
  static String text(JsonNode node, String where) {
    if (node == null || !node.isTextual()) {
      throw ApiError.validation(where + " must be a string, got " + typeName(node));
    }
    String s = node.textValue();
    if (s.isBlank()) {
      throw ApiError.validation(where + " is empty");
    }
    return s;
  }

  /** An optional string field, or null. */
  static String optionalString(ObjectNode body, String field) {
    if (absent(body, field)) {
      return null;
    }
    JsonNode n = body.get(field);
    if (!n.isTextual()) {
      throw ApiError.validation(field + " must be a string, got " + typeName(n));
    }
    return n.textValue();
  }

  /** A list of non-blank texts at {@code where}: not empty, at most {@code max} (413 beyond). */
  static List<String> texts(JsonNode node, String where, int max) {
    if (node == null || !node.isArray()) {
      throw ApiError.validation(where + " must be a list of strings, got " + typeName(node));
    }
    if (node.isEmpty()) {
      throw ApiError.validation(where + " is an empty list");
    }
    checkBatchSize(node.size(), max);
    List<String> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      out.add(text(node.get(i), where + "[" + i + "]"));
    }
    return out;
  }

  /** 413 when a request has more inputs than allowed, in text-embeddings-inference's words. */
  static void checkBatchSize(int size, int max) {
    if (size > max) {
      throw ApiError.tooLarge("batch size " + size + " > maximum allowed batch size " + max
          + " (--max-client-batch-size)");
    }
  }

  /** An optional boolean field, or {@code otherwise}. */
  static boolean bool(ObjectNode body, String field, boolean otherwise) {
    if (absent(body, field)) {
      return otherwise;
    }
    JsonNode n = body.get(field);
    if (!n.isBoolean()) {
      throw ApiError.validation(field + " must be true or false, got " + typeName(n));
    }
    return n.booleanValue();
  }

  /** An optional integer field in [min, max], or null. */
  static Integer integer(ObjectNode body, String field, int min, int max) {
    if (absent(body, field)) {
      return null;
    }
    JsonNode n = body.get(field);
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw ApiError.validation(field + " must be an integer, got " + typeName(n) + (n.isNumber() ? " " + n : ""));
    }
    int v = n.intValue();
    if (v < min || v > max) {
      throw ApiError.validation(field + " must be in [" + min + ", " + max + "], got " + v);
    }
    return v;
  }

  /** An optional number field in [min, max], or null. */
  static Double number(ObjectNode body, String field, double min, double max) {
    if (absent(body, field)) {
      return null;
    }
    JsonNode n = body.get(field);
    if (!n.isNumber()) {
      throw ApiError.validation(field + " must be a number, got " + typeName(n));
    }
    double v = n.doubleValue();
    if (!(v >= min && v <= max)) {
      throw ApiError.validation(field + " must be in [" + min + ", " + max + "], got " + v);
    }
    return v;
  }

  /** TEI's {@code truncation_direction}: {@code right} (default) or {@code left}, any case. */
  static Side direction(ObjectNode body) {
    String d = optionalString(body, "truncation_direction");
    if (d == null || d.equalsIgnoreCase("right")) {
      return Side.RIGHT;
    }
    if (d.equalsIgnoreCase("left")) {
      return Side.LEFT;
    }
    throw ApiError.validation("truncation_direction must be \"right\" or \"left\", got \"" + d + "\"");
  }
}
