package dev.jbert.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What {@code transformers} keeps beside the tokenizer proper: {@code tokenizer_config.json} and
 * {@code special_tokens_map.json} (the former wins where both name a token), with BERT's defaults
 * for every absent entry.
 *
 * @param doLowerCase {@code do_lower_case} (default true)
 * @param tokenizeChineseChars {@code tokenize_chinese_chars} (default true)
 * @param stripAccents {@code strip_accents}; null means "as {@code do_lower_case}"
 * @param unkToken {@code unk_token} (default {@code [UNK]})
 * @param sepToken {@code sep_token} (default {@code [SEP]})
 * @param padToken {@code pad_token} (default {@code [PAD]})
 * @param clsToken {@code cls_token} (default {@code [CLS]})
 * @param maskToken {@code mask_token} (default {@code [MASK]})
 * @param additionalSpecialTokens {@code additional_special_tokens}
 * @param addedTokensDecoder {@code added_tokens_decoder} entries of newer configs, or empty
 * @param modelMaxLength {@code model_max_length}, empty when absent or transformers' "unbounded"
 * @param cleanUpTokenizationSpaces {@code clean_up_tokenization_spaces} (default true)
 */
record TransformersConfig(
    boolean doLowerCase,
    boolean tokenizeChineseChars,
    Boolean stripAccents,
    String unkToken,
    String sepToken,
    String padToken,
    String clsToken,
    String maskToken,
    List<String> additionalSpecialTokens,
    List<AddedTokenEntry> addedTokensDecoder,
    OptionalInt modelMaxLength,
    boolean cleanUpTokenizationSpaces) {

  static final String CONFIG_FILE = "tokenizer_config.json";
  static final String SPECIAL_TOKENS_FILE = "special_tokens_map.json";

  /** Above this, {@code model_max_length} is transformers' placeholder for "no limit" (1e30). */
  private static final double UNBOUNDED_MODEL_MAX_LENGTH = 1e9;

  /** Reads the two files of {@code dir}; either may be absent. */
  static TransformersConfig read(Path dir) throws IOException {
    Path configPath = dir.resolve(CONFIG_FILE);
    Path mapPath = dir.resolve(SPECIAL_TOKENS_FILE);
    JsonFile config = Files.exists(configPath) ? JsonFile.read(configPath) : null;
    JsonFile map = Files.exists(mapPath) ? JsonFile.read(mapPath) : null;
    return of(config, map);
  }

  /** BERT's defaults, as for a folder with neither file (a tokenizer.json read on its own). */
  static TransformersConfig defaults() throws IOException {
    return of(null, null);
  }

  private static TransformersConfig of(JsonFile config, JsonFile map) throws IOException {
    JsonNode c = config == null ? null : config.root;
    return new TransformersConfig(
        c == null || config.bool(c, "do_lower_case", CONFIG_FILE, true),
        c == null || config.bool(c, "tokenize_chinese_chars", CONFIG_FILE, true),
        c == null ? null : config.nullableBool(c, "strip_accents", CONFIG_FILE),
        specialToken(config, map, "unk_token", "[UNK]"),
        specialToken(config, map, "sep_token", "[SEP]"),
        specialToken(config, map, "pad_token", "[PAD]"),
        specialToken(config, map, "cls_token", "[CLS]"),
        specialToken(config, map, "mask_token", "[MASK]"),
        additionalSpecialTokens(config, map),
        config == null ? List.of() : addedTokensDecoder(config),
        config == null ? OptionalInt.empty() : modelMaxLength(config),
        c == null || config.bool(c, "clean_up_tokenization_spaces", CONFIG_FILE, true));
  }

  private static String specialToken(JsonFile config, JsonFile map, String name, String fallback)
      throws TokenizerFormatException {
    for (JsonFile file : new JsonFile[] {config, map}) {
      if (file != null) {
        JsonNode value = JsonFile.optional(file.root, name);
        if (value != null) {
          return tokenContent(file, value, name);
        }
      }
    }
    return fallback;
  }

  /** A special token is either a string or an AddedToken object with a {@code content}. */
  private static String tokenContent(JsonFile file, JsonNode value, String where)
      throws TokenizerFormatException {
    if (value.isTextual()) {
      return value.textValue();
    }
    if (value.isObject() && value.path("content").isTextual()) {
      return value.get("content").textValue();
    }
    throw file.error(where + " must be a string or an object with a content, got " + value);
  }

  private static List<String> additionalSpecialTokens(JsonFile config, JsonFile map)
      throws TokenizerFormatException {
    for (JsonFile file : new JsonFile[] {config, map}) {
      JsonNode list = file == null ? null : JsonFile.optional(file.root, "additional_special_tokens");
      if (list != null) {
        if (!list.isArray()) {
          throw file.error("additional_special_tokens must be a list, got " + list);
        }
        List<String> tokens = new ArrayList<>();
        for (JsonNode token : list) {
          tokens.add(tokenContent(file, token, "additional_special_tokens"));
        }
        return tokens;
      }
    }
    return List.of();
  }

  private static List<AddedTokenEntry> addedTokensDecoder(JsonFile config) throws TokenizerFormatException {
    JsonNode decoder = config.object(config.root, "added_tokens_decoder", CONFIG_FILE);
    if (decoder == null) {
      return List.of();
    }
    List<AddedTokenEntry> tokens = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = decoder.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String where = "added_tokens_decoder." + entry.getKey();
      int id;
      try {
        id = Integer.parseInt(entry.getKey());
      } catch (NumberFormatException e) {
        throw config.error(where + ": the key must be a token id");
      }
      tokens.add(AddedTokenEntry.read(config, entry.getValue(), id, where));
    }
    return tokens;
  }

  private static OptionalInt modelMaxLength(JsonFile config) throws TokenizerFormatException {
    JsonNode value = JsonFile.optional(config.root, "model_max_length");
    if (value == null) {
      return OptionalInt.empty();
    }
    if (!value.isNumber() || value.doubleValue() < 1) {
      throw config.error("model_max_length must be a positive number, got " + value);
    }
    boolean unbounded = value.doubleValue() > UNBOUNDED_MODEL_MAX_LENGTH;
    return unbounded ? OptionalInt.empty() : OptionalInt.of(value.intValue());
  }
}
