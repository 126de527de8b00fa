package dev.jbert.tokenizer;

/**
 * The WordPiece model: greedy longest-match-first from the left, continuation pieces looked up with
 * their prefix ({@code ##}), and the whole word as one unknown token when some position cannot be
 * matched (the pieces found so far are dropped) or the word is longer than
 * {@code maxInputCharsPerWord} code points.
 */
final class WordPiece {

  private static final long NO_MATCH = -1L;

  private final TokenIndex vocab;
  /** Tokens that start with the continuing-subword prefix, keyed without it. */
  private final TokenIndex continuations;
  private final int unkId;
  private final int maxInputCharsPerWord;

  WordPiece(TokenIndex vocab, TokenIndex continuations, int unkId, int maxInputCharsPerWord) {
    this.vocab = vocab;
    this.continuations = continuations;
    this.unkId = unkId;
    this.maxInputCharsPerWord = maxInputCharsPerWord;
  }

  /** Appends the pieces of {@code word} (not empty) to {@code out}. */
  void tokenize(WordBuffer word, TokenBuffer out) {
    int length = word.length;
    int wordStart = word.starts[0];
    int wordEnd = word.ends[length - 1];
    if (word.codePoints > maxInputCharsPerWord) {
      out.add(unkId, wordStart, wordEnd);
      return;
    }
    char[] chars = word.chars;
    int whole = vocab.find(chars, 0, length, TokenIndex.hash(chars, 0, length));
    if (whole >= 0) {
      out.add(whole, wordStart, wordEnd);
      return;
    }
    int mark = out.size;
    int start = 0;
    while (start < length) {
      long match = longestMatch(word, start, start == 0 ? vocab : continuations);
      if (match == NO_MATCH) {
        out.truncate(mark);
        out.add(unkId, wordStart, wordEnd);
        return;
      }
      int end = (int) (match >>> 32);
      out.add((int) match, word.starts[start], word.ends[end - 1]);
      start = end;
    }
  }

  /**
   * The longest key of {@code index} that {@code word} continues with at {@code start}, packed as
   * {@code end << 32 | id}, or {@link #NO_MATCH}.
   */
  private static long longestMatch(WordBuffer word, int start, TokenIndex index) {
    char[] chars = word.chars;
    int maxLength = Math.min(word.length - start, index.maxKeyLength());
    int[] hashes = word.prefixHashes(maxLength + 1);
    // hashes[k] = hash of chars[start, start + k)
    int h = 0;
    for (int k = 1; k <= maxLength; k++) {
      h = TokenIndex.extendHash(h, chars[start + k - 1]);
      hashes[k] = h;
    }
    for (int k = maxLength; k >= 1; k--) {
      int end = start + k;
      if (end < word.length && Character.isLowSurrogate(chars[end]) && Character.isHighSurrogate(chars[end - 1])) {
        continue; // never split a surrogate pair
      }
      int id = index.find(chars, start, end, hashes[k]);
      if (id >= 0) {
        return ((long) end << 32) | id;
      }
    }
    return NO_MATCH;
  }
}
