package dev.jbert.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face {@code tokenizer.json} made of the BERT parts: {@code BertNormalizer} (or
 * none), {@code BertPreTokenizer}, a {@code WordPiece} model, {@code TemplateProcessing} or
 * {@code BertProcessing} (or none), a {@code WordPiece} decoder (or none), added tokens, and the
 * truncation and padding blocks. Any other part is refused with an error naming it.
 */
final class TokenizerJsonReader {

  static final String FILE = "tokenizer.json";

  private final JsonFile file;

  private TokenizerJsonReader(JsonFile file) {
    this.file = file;
  }

  static TokenizerSpec read(Path dir, TransformersConfig config) throws IOException {
    return readFile(dir.resolve(FILE), config);
  }

  /** Reads a tokenizer.json under any name. */
  static TokenizerSpec readFile(Path file, TransformersConfig config) throws IOException {
    return new TokenizerJsonReader(JsonFile.read(file)).spec(config);
  }

  private TokenizerSpec spec(TransformersConfig config) throws IOException {
    JsonNode root = file.root;
    NormalizerSettings normalizer = normalizer();
    requireBertPreTokenizer();
    JsonNode model = file.object(root, "model", FILE);
    if (model == null) {
      throw file.error("no model");
    }
    String type = file.text(model, "type", "model", "WordPiece");
    if (!type.equals("WordPiece")) {
      throw file.error("unsupported model type '" + type + "' (only WordPiece)");
    }
    Map<String, Integer> vocab = vocab(model);
    String unk = file.text(model, "unk_token", "model", "[UNK]");
    if (!vocab.containsKey(unk)) {
      throw file.error("unk_token '" + unk + "' is not in the vocabulary (model.vocab)");
    }
    List<AddedToken> added = addedTokens();
    Map<String, Integer> all = TokenizerSpec.allTokens(file.path, vocab, added);
    Padding padding = padding(all, config);
    JsonNode decoder = decoder();
    return new TokenizerSpec(
        file.path,
        normalizer,
        vocab,
        unk,
        file.text(model, "continuing_subword_prefix", "model", "##"),
        file.nonNegativeInt(model, "max_input_chars_per_word", "model", 100),
        added,
        template(all),
        configuredOptions(padding),
        padding.token,
        padding.id,
        decoder == null ? null : file.text(decoder, "prefix", "decoder", "##"),
        decoder != null && file.bool(decoder, "cleanup", "decoder", true),
        config);
  }

  private NormalizerSettings normalizer() throws TokenizerFormatException {
    JsonNode node = file.object(file.root, "normalizer", FILE);
    if (node == null) {
      return NormalizerSettings.NONE;
    }
    String type = file.text(node, "type", "normalizer", "");
    if (!type.equals("BertNormalizer")) {
      throw file.error("unsupported normalizer type '" + type + "' (only BertNormalizer)");
    }
    boolean lowercase = file.bool(node, "lowercase", "normalizer", true);
    return NormalizerSettings.of(
        file.bool(node, "clean_text", "normalizer", true),
        file.bool(node, "handle_chinese_chars", "normalizer", true),
        file.nullableBool(node, "strip_accents", "normalizer"),
        lowercase);
  }

  private void requireBertPreTokenizer() throws TokenizerFormatException {
    JsonNode node = file.object(file.root, "pre_tokenizer", FILE);
    String type = node == null ? "none" : file.text(node, "type", "pre_tokenizer", "");
    if (!type.equals("BertPreTokenizer")) {
      throw file.error("unsupported pre_tokenizer type '" + type + "' (only BertPreTokenizer)");
    }
  }

  private Map<String, Integer> vocab(JsonNode model) throws TokenizerFormatException {
    JsonNode node = file.object(model, "vocab", "model");
    if (node == null || node.isEmpty()) {
      throw file.error("model.vocab is missing or empty");
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      JsonNode id = entry.getValue();
      if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
        throw file.error(
            "model.vocab: token '" + entry.getKey() + "' has id " + id + ", not a non-negative integer");
      }
      vocab.put(entry.getKey(), id.intValue());
    }
    return vocab;
  }

  private List<AddedToken> addedTokens() throws TokenizerFormatException {
    JsonNode list = JsonFile.optional(file.root, "added_tokens");
    List<AddedToken> added = new ArrayList<>();
    if (list == null) {
      return added;
    }
    if (!list.isArray()) {
      throw file.error("added_tokens must be a list");
    }
    for (int i = 0; i < list.size(); i++) {
      String where = "added_tokens[" + i + "]";
      JsonNode entry = list.get(i);
      if (!entry.path("id").canConvertToInt() || entry.path("id").intValue() < 0) {
        throw file.error(where + " needs a non-negative integer id");
      }
      AddedTokenEntry declared = AddedTokenEntry.read(file, entry, entry.get("id").intValue(), where);
      added.add(declared.toAddedToken(file, where));
    }
    return added;
  }

  private Template template(Map<String, Integer> tokens) throws TokenizerFormatException {
    JsonNode node = file.object(file.root, "post_processor", FILE);
    if (node == null) {
      // No post-processor: nothing added; a pair is just the two sequences, both with type id 0.
      return new Template(List.of(Template.Piece.sequence(0, 0)),
          List.of(Template.Piece.sequence(0, 0), Template.Piece.sequence(1, 0)));
    }
    String type = file.text(node, "type", "post_processor", "");
    return switch (type) {
      case "TemplateProcessing" -> new TemplateReader(file, node).read();
      case "BertProcessing" ->
          Template.bert(processingToken(node, "cls", tokens), processingToken(node, "sep", tokens));
      default -> throw file.error("unsupported post_processor type '" + type
          + "' (only TemplateProcessing and BertProcessing)");
    };
  }

  /** A {@code ["[CLS]", 101]} entry of BertProcessing. */
  private int processingToken(JsonNode node, String field, Map<String, Integer> tokens)
      throws TokenizerFormatException {
    JsonNode pair = node.get(field);
    boolean wellFormed = pair != null && pair.isArray() && pair.size() == 2
        && pair.get(0).isTextual() && pair.get(1).canConvertToInt();
    if (!wellFormed) {
      throw file.error("post_processor." + field + " must be [token, id]");
    }
    String token = pair.get(0).textValue();
    int id = pair.get(1).intValue();
    Integer known = tokens.get(token);
    if (known == null || known != id) {
      throw file.error("post_processor." + field + ": '" + token + "' does not have id " + id + " in the vocabulary");
    }
    return id;
  }

  private JsonNode decoder() throws TokenizerFormatException {
    JsonNode node = file.object(file.root, "decoder", FILE);
    if (node != null) {
      String type = file.text(node, "type", "decoder", "");
      if (!type.equals("WordPiece")) {
        throw file.error("unsupported decoder type '" + type + "' (only WordPiece)");
      }
    }
    return node;
  }

  /**
   * The padding block, or the config's pad token when there is none.
   *
   * @param strategy NONE when there is no block
   * @param fixedLength the length of {@code Fixed} padding
   * @param multiple {@code pad_to_multiple_of}, 0 for none
   * @param side {@code direction}
   * @param token the pad token, or null
   * @param id the pad id, or -1
   */
  private record Padding(PaddingStrategy strategy, int fixedLength, int multiple, Side side, String token, int id) {}

  private Padding padding(Map<String, Integer> tokens, TransformersConfig config) throws TokenizerFormatException {
    JsonNode node = file.object(file.root, "padding", FILE);
    if (node == null) {
      Integer id = tokens.get(config.padToken());
      return id == null
          ? new Padding(PaddingStrategy.NONE, 0, 0, Side.RIGHT, null, -1)
          : new Padding(PaddingStrategy.NONE, 0, 0, Side.RIGHT, config.padToken(), id);
    }
    JsonNode strategy = node.path("strategy");
    PaddingStrategy kind;
    int fixed = 0;
    if (strategy.isTextual() && strategy.textValue().equals("BatchLongest")) {
      kind = PaddingStrategy.LONGEST;
    } else if (strategy.path("Fixed").canConvertToInt() && strategy.get("Fixed").intValue() > 0) {
      kind = PaddingStrategy.MAX_LENGTH;
      fixed = strategy.get("Fixed").intValue();
    } else {
      throw file.error("padding.strategy must be \"BatchLongest\" or {\"Fixed\": n}, got " + strategy);
    }
    if (file.nonNegativeInt(node, "pad_type_id", "padding", 0) != 0) {
      throw file.error("padding.pad_type_id other than 0 is not supported");
    }
    String token = file.text(node, "pad_token", "padding", "[PAD]");
    int id = file.nonNegativeInt(node, "pad_id", "padding", 0);
    return new Padding(kind, fixed, file.nonNegativeInt(node, "pad_to_multiple_of", "padding", 0),
        side(node, "padding"), token, id);
  }

  private EncodeOptions configuredOptions(Padding padding) throws TokenizerFormatException {
    EncodeOptions options = EncodeOptions.DEFAULT;
    JsonNode node = file.object(file.root, "truncation", FILE);
    if (node != null) {
      int maxLength = file.nonNegativeInt(node, "max_length", "truncation", 0);
      if (maxLength == 0) {
        throw file.error("truncation.max_length must be positive");
      }
      String strategy = file.text(node, "strategy", "truncation", "LongestFirst");
      TruncationStrategy truncation = switch (strategy) {
        case "LongestFirst" -> TruncationStrategy.LONGEST_FIRST;
        case "OnlyFirst" -> TruncationStrategy.ONLY_FIRST;
        case "OnlySecond" -> TruncationStrategy.ONLY_SECOND;
        default -> throw file.error("unknown truncation.strategy '" + strategy + "'");
      };
      options = options.withMaxLength(maxLength)
          .withTruncation(truncation)
          .withTruncationSide(side(node, "truncation"));
    }
    if (padding.strategy == PaddingStrategy.NONE) {
      return options;
    }
    if (padding.strategy == PaddingStrategy.MAX_LENGTH) {
      if (options.maxLength() != 0 && options.maxLength() != padding.fixedLength) {
        throw file.error("padding Fixed(" + padding.fixedLength + ") and truncation.max_length "
            + options.maxLength() + " differ; one max length for both is supported");
      }
      options = options.withMaxLength(padding.fixedLength);
    }
    return options.withPadding(padding.strategy)
        .withPadToMultipleOf(padding.multiple)
        .withPaddingSide(padding.side);
  }

  private Side side(JsonNode node, String where) throws TokenizerFormatException {
    String direction = file.text(node, "direction", where, "Right");
    return switch (direction) {
      case "Right" -> Side.RIGHT;
      case "Left" -> Side.LEFT;
      default -> throw file.error(where + ".direction must be Right or Left, got '" + direction + "'");
    };
  }
}
