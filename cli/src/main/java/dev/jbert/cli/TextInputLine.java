package dev.jbert.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbert.tokenizer.BertTokenizer;
import dev.jbert.tokenizer.EncodeOptions;
import dev.jbert.tokenizer.Encoding;
import java.util.Locale;

/** One stdin line of {@code tokenize} and {@code embed}: {@code {"text": "...", "text_pair": "..."}}. */
final class TextInputLine {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TextInputLine() {}

  /**
   * Parses the line and encodes it; {@code text_pair} may be absent or null.
   *
   * @throws IllegalArgumentException naming the field that is missing or of the wrong type
   */
  static Encoding encode(BertTokenizer tokenizer, String line, EncodeOptions options) throws JsonProcessingException {
    JsonNode input = JSON.readTree(line);
    if (!input.isObject()) {
      String kind = input.getNodeType().name().toLowerCase(Locale.ROOT);
      throw new IllegalArgumentException("expected a JSON object like {\"text\": \"...\"}, got: " + kind);
    }
    JsonNode text = input.get("text");
    if (text == null || !text.isTextual()) {
      throw new IllegalArgumentException("\"text\" must be a string");
    }
    JsonNode pair = input.get("text_pair");
    if (pair != null && !pair.isNull() && !pair.isTextual()) {
      throw new IllegalArgumentException("\"text_pair\" must be a string or null");
    }
    return tokenizer.encode(text.textValue(), pair == null || pair.isNull() ? null : pair.textValue(), options);
  }
}
