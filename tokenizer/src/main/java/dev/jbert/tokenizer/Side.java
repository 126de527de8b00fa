package dev.jbert.tokenizer;

/** Which end of a sequence truncation removes tokens from, or padding adds them to. */
public enum Side {
  /** The start: truncation keeps the last tokens, padding goes before the tokens. */
  LEFT,
  /** The end: truncation keeps the first tokens, padding goes after them (the default). */
  RIGHT
}
