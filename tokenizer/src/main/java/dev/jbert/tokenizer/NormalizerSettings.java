package dev.jbert.tokenizer;

/**
 * The four switches of Hugging Face's {@code BertNormalizer}, as read from {@code tokenizer.json}
 * or derived from {@code tokenizer_config.json}.
 *
 * @param cleanText drop control characters and turn every kind of white space into a plain space
 * @param handleChineseChars put spaces around CJK ideographs so that each becomes its own word
 * @param stripAccents decompose (NFD) and drop non-spacing marks; already resolved from
 *     {@code null}, which means "same as {@code lowercase}"
 * @param lowercase lowercase every character (locale-independent, code point by code point)
 */
record NormalizerSettings(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase) {

  /** No normalization at all: what a {@code tokenizer.json} without a normalizer asks for. */
  static final NormalizerSettings NONE = new NormalizerSettings(false, false, false, false);

  /**
   * Resolves Hugging Face's three-valued {@code strip_accents}: {@code null} follows {@code lowercase}.
   */
  static NormalizerSettings of(boolean cleanText, boolean handleChineseChars, Boolean stripAccents, boolean lowercase) {
    return new NormalizerSettings(cleanText, handleChineseChars, stripAccents == null ? lowercase : stripAccents, lowercase);
  }
}
