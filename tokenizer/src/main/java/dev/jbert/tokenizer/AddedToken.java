package dev.jbert.tokenizer;

/**
 * A token matched in the raw text before normalization, as listed in {@code added_tokens}.
 *
 * @param id its id
 * @param content the exact text that stands for it
 * @param special whether decoding may skip it ({@code [CLS]}, {@code [PAD]}, ...)
 */
record AddedToken(int id, String content, boolean special) {}
