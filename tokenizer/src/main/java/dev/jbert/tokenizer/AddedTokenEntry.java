package dev.jbert.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An added token as the files describe it: an {@code added_tokens} entry of tokenizer.json or an
 * {@code added_tokens_decoder} entry of tokenizer_config.json.
 *
 * @param id the token's id
 * @param content its text
 * @param special whether it is a special token
 * @param normalized whether it is matched in the normalized text (unsupported when true)
 * @param lstrip whether it swallows white space on its left (unsupported when true)
 * @param rstrip whether it swallows white space on its right (unsupported when true)
 * @param singleWord whether it only matches whole words (unsupported when true)
 */
record AddedTokenEntry(
    int id, String content, boolean special, boolean normalized, boolean lstrip, boolean rstrip, boolean singleWord) {

  /** Reads one entry; {@code normalized} defaults to {@code !special}, as in the tokenizers library. */
  static AddedTokenEntry read(JsonFile file, JsonNode node, int id, String where) throws TokenizerFormatException {
    if (!node.isObject()) {
      throw file.error(where + " must be an object, got " + node);
    }
    String content = file.text(node, "content", where, null);
    if (content == null) {
      throw file.error(where + " has no content");
    }
    boolean special = file.bool(node, "special", where, false);
    return new AddedTokenEntry(
        id,
        content,
        special,
        file.bool(node, "normalized", where, !special),
        file.bool(node, "lstrip", where, false),
        file.bool(node, "rstrip", where, false),
        file.bool(node, "single_word", where, false));
  }

  /**
   * The token, matched verbatim in the raw text; refuses the matching options this tokenizer does
   * not implement (BERT's special tokens use none of them).
   */
  AddedToken toAddedToken(JsonFile file, String where) throws TokenizerFormatException {
    if (normalized || lstrip || rstrip || singleWord) {
      throw file.error(where + " '" + content + "': added tokens with normalized, lstrip, rstrip or single_word"
          + " are not supported (only tokens matched verbatim in the raw text, as BERT's special tokens are)");
    }
    return new AddedToken(id, content, special);
  }
}
