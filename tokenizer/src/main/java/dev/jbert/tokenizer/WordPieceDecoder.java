package dev.jbert.tokenizer;

/**
 * Turns ids back into text the way Hugging Face {@code transformers}' fast BERT tokenizer does:
 * the tokenizers library's WordPiece decoder (a piece that starts with the prefix is glued to the
 * previous one, any other piece gets a space before it, and each piece loses a space before
 * {@code . ? ! ,}), then, if {@code clean_up_tokenization_spaces} is on, transformers' clean-up of
 * the whole string (also {@code " ' "}, {@code n't}, {@code 'm}, {@code 's}, {@code 've},
 * {@code 're}).
 */
final class WordPieceDecoder {

  private final String prefix;
  private final boolean cleanup;
  private final boolean cleanUpTokenizationSpaces;

  /**
   * @param prefix the continuing-subword prefix ({@code ##}), or null to join all tokens with spaces
   * @param cleanup the decoder's per-piece clean-up ({@code decoder.cleanup} in tokenizer.json)
   * @param cleanUpTokenizationSpaces transformers' clean-up of the decoded string
   */
  WordPieceDecoder(String prefix, boolean cleanup, boolean cleanUpTokenizationSpaces) {
    this.prefix = prefix;
    this.cleanup = cleanup;
    this.cleanUpTokenizationSpaces = cleanUpTokenizationSpaces;
  }

  String decode(int[] ids, boolean skipSpecialTokens, Vocabulary vocabulary) {
    StringBuilder text = new StringBuilder(ids.length * 6);
    boolean first = true;
    for (int i = 0; i < ids.length; i++) {
      String token = vocabulary.token(ids[i]);
      if (token == null) {
        throw new IllegalArgumentException(
            "cannot decode id " + ids[i] + " at position " + i + ": not in the vocabulary (0.." + (vocabulary.size() - 1) + ")");
      }
      if (skipSpecialTokens && vocabulary.isSpecial(ids[i])) {
        continue;
      }
      String piece;
      if (first) {
        piece = token;
      } else if (prefix != null && token.startsWith(prefix)) {
        piece = token.substring(prefix.length());
      } else {
        piece = " " + token;
      }
      text.append(cleanup ? cleanPiece(piece) : piece);
      first = false;
    }
    String decoded = text.toString();
    return cleanUpTokenizationSpaces ? cleanUpTokenization(decoded) : decoded;
  }

  /** The tokenizers library's {@code decoders::wordpiece::cleanup}, applied to one piece. */
  private static String cleanPiece(String piece) {
    if (piece.indexOf(' ') < 0) {
      return piece;
    }
    return piece.replace(" .", ".")
        .replace(" ?", "?")
        .replace(" !", "!")
        .replace(" ,", ",")
        .replace(" ' ", "'")
        .replace(" n't", "n't")
        .replace(" 'm", "'m")
        .replace(" do not", " don't")
        .replace(" 's", "'s")
        .replace(" 've", "'ve")
        .replace(" 're", "'re");
  }

  /** transformers' {@code PreTrainedTokenizerBase.clean_up_tokenization}. */
  static String cleanUpTokenization(String text) {
    return text.replace(" .", ".")
        .replace(" ?", "?")
        .replace(" !", "!")
        .replace(" ,", ",")
        .replace(" ' ", "'")
        .replace(" n't", "n't")
        .replace(" 'm", "'m")
        .replace(" 's", "'s")
        .replace(" 've", "'ve")
        .replace(" 're", "'re");
  }
}
