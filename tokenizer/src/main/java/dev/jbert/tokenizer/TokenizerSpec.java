package dev.jbert.tokenizer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything read from a model directory, whichever files it came from, already checked: the
 * vocabulary holds the unknown token, added tokens agree with the vocabulary, ids are unique.
 *
 * @param source the file the tokenizer came from (tokenizer.json or vocab.txt), for messages
 * @param normalizer the normalizer switches
 * @param vocab the WordPiece vocabulary, token to id
 * @param unkToken the WordPiece unknown token
 * @param continuingSubwordPrefix the prefix of continuation pieces ({@code ##})
 * @param maxInputCharsPerWord longer words (in code points) become the unknown token
 * @param addedTokens tokens matched verbatim in the raw text
 * @param template the post-processor
 * @param configuredOptions the truncation and padding that tokenizer.json asks for
 * @param padToken the pad token, or null when there is none
 * @param padId the pad id, or -1 when there is none
 * @param decoderPrefix the decoder's continuation prefix, or null to join tokens with spaces
 * @param decoderCleanup the decoder's per-piece clean-up
 * @param config tokenizer_config.json and special_tokens_map.json
 */
record TokenizerSpec(
    Path source,
    NormalizerSettings normalizer,
    Map<String, Integer> vocab,
    String unkToken,
    String continuingSubwordPrefix,
    int maxInputCharsPerWord,
    List<AddedToken> addedTokens,
    Template template,
    EncodeOptions configuredOptions,
    String padToken,
    int padId,
    String decoderPrefix,
    boolean decoderCleanup,
    TransformersConfig config) {

  /**
   * The vocabulary and the added tokens in one map, checking that an added token that is also in
   * the vocabulary has the same id there, and that no id is used twice.
   */
  static Map<String, Integer> allTokens(Path file, Map<String, Integer> vocab, List<AddedToken> added)
      throws TokenizerFormatException {
    Map<String, Integer> all = new LinkedHashMap<>(vocab);
    Map<Integer, String> byId = new HashMap<>();
    for (Map.Entry<String, Integer> entry : vocab.entrySet()) {
      String previous = byId.put(entry.getValue(), entry.getKey());
      if (previous != null) {
        throw new TokenizerFormatException(file, "tokens '" + previous + "' and '" + entry.getKey()
            + "' have the same id " + entry.getValue());
      }
    }
    for (AddedToken token : added) {
      Integer inVocab = vocab.get(token.content());
      String holder = byId.get(token.id());
      if (inVocab != null && inVocab != token.id()) {
        throw new TokenizerFormatException(file, "added token '" + token.content() + "' has id " + token.id()
            + " but the vocabulary gives it id " + inVocab);
      }
      if (inVocab == null && holder != null) {
        throw new TokenizerFormatException(file, "added token '" + token.content() + "' has id " + token.id()
            + ", which the vocabulary gives to '" + holder + "'");
      }
      all.put(token.content(), token.id());
      byId.put(token.id(), token.content());
    }
    return all;
  }

  /** The id of a token the tokenizer needs, or an error naming the file and the setting. */
  static int requireId(Path file, Map<String, Integer> tokens, String token, String setting)
      throws TokenizerFormatException {
    Integer id = tokens.get(token);
    if (id == null) {
      throw new TokenizerFormatException(file, setting + " '" + token + "' is not in the vocabulary");
    }
    return id;
  }
}
