package dev.jbert.tokenizer;

/**
 * How to cut an input down to {@link EncodeOptions#maxLength()} tokens, special tokens included;
 * the names and rules are Hugging Face's.
 */
public enum TruncationStrategy {
  /** Never truncate. */
  NONE,
  /**
   * Cut the longer sequence of a pair first, as the fast (Rust) tokenizer does: if the shorter one
   * fits in half the room, the longer one gets the rest; otherwise both get half, and the one that
   * was longer gets the odd token (the second one when they were equally long).
   */
  LONGEST_FIRST,
  /** Cut only the first sequence; an error if it cannot absorb the whole excess. */
  ONLY_FIRST,
  /** Cut only the second sequence of a pair; an error if it cannot absorb the whole excess. */
  ONLY_SECOND
}
