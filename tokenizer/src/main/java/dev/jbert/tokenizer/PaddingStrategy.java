package dev.jbert.tokenizer;

/** How long a padded encoding is; pads carry the pad id, type id 0 and attention mask 0. */
public enum PaddingStrategy {
  /** No padding. */
  NONE,
  /** Pad every encoding of a batch to the longest one (a single encoding is left as it is). */
  LONGEST,
  /** Pad to {@link EncodeOptions#maxLength()}. */
  MAX_LENGTH
}
