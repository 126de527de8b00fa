package dev.jbert.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the tokenizer the way {@code transformers} converts a slow BERT tokenizer to a fast one:
 * {@code vocab.txt} (one token per line, the line number is the id) plus the settings of
 * {@code tokenizer_config.json} and {@code special_tokens_map.json}.
 */
final class VocabTxtReader {

  static final String VOCAB_FILE = "vocab.txt";

  private VocabTxtReader() {}

  static TokenizerSpec read(Path dir, TransformersConfig config) throws IOException {
    Path file = dir.resolve(VOCAB_FILE);
    Map<String, Integer> vocab = readVocab(file);
    TokenizerSpec.requireId(file, vocab, config.unkToken(), "unk_token");
    List<AddedToken> added = addedTokens(dir, file, vocab, config);
    Map<String, Integer> all = TokenizerSpec.allTokens(file, vocab, added);
    Template template = Template.bert(
        TokenizerSpec.requireId(file, all, config.clsToken(), "cls_token"),
        TokenizerSpec.requireId(file, all, config.sepToken(), "sep_token"));
    Integer padId = all.get(config.padToken());
    NormalizerSettings normalizer =
        NormalizerSettings.of(true, config.tokenizeChineseChars(), config.stripAccents(), config.doLowerCase());
    return new TokenizerSpec(file, normalizer, vocab, config.unkToken(), "##", 100, added, template,
        EncodeOptions.DEFAULT, padId == null ? null : config.padToken(), padId == null ? -1 : padId, "##", true, config);
  }

  /** Token per line, id = line index; a token twice is an error naming both lines. */
  static Map<String, Integer> readVocab(Path file) throws IOException {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int id = 0;
      while ((line = in.readLine()) != null) {
        Integer previous = vocab.putIfAbsent(line, id);
        if (previous != null) {
          throw new TokenizerFormatException(file, "duplicate token '" + line + "' on lines " + (previous + 1)
              + " and " + (id + 1));
        }
        id++;
      }
    }
    if (vocab.isEmpty()) {
      throw new TokenizerFormatException(file, "the vocabulary is empty");
    }
    return vocab;
  }

  /**
   * The added tokens: {@code added_tokens_decoder} where the config has one, else the special
   * tokens it names, each of which must be in the vocabulary.
   */
  private static List<AddedToken> addedTokens(Path dir, Path vocabFile, Map<String, Integer> vocab, TransformersConfig config)
      throws IOException {
    if (Files.exists(dir.resolve("added_tokens.json"))) {
      throw new TokenizerFormatException(dir.resolve("added_tokens.json"),
          "added tokens outside tokenizer.json are not supported; save the tokenizer with tokenizer.json");
    }
    List<AddedToken> added = new ArrayList<>();
    if (!config.addedTokensDecoder().isEmpty()) {
      JsonFile configFile = JsonFile.read(dir.resolve(TransformersConfig.CONFIG_FILE));
      for (TransformersConfig.AddedTokenDecl decl : config.addedTokensDecoder()) {
        added.add(decl.toAddedToken(configFile, "added_tokens_decoder." + decl.id()));
      }
      return added;
    }
    String[][] named = {
      {"unk_token", config.unkToken()}, {"sep_token", config.sepToken()}, {"pad_token", config.padToken()},
      {"cls_token", config.clsToken()}, {"mask_token", config.maskToken()},
    };
    for (String[] setting : named) {
      added.add(new AddedToken(TokenizerSpec.requireId(vocabFile, vocab, setting[1], setting[0]), setting[1], true));
    }
    for (String token : config.additionalSpecialTokens()) {
      added.add(new AddedToken(TokenizerSpec.requireId(vocabFile, vocab, token, "additional special token"), token, true));
    }
    return added;
  }
}
