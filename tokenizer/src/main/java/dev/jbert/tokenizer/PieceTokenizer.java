package dev.jbert.tokenizer;

/**
 * Turns one text into word-piece ids with their spans in the text: added tokens are split out
 * first and kept whole; every other stretch goes through normalization, pre-tokenization and
 * WordPiece in a single pass over its characters, driven by a precomputed {@link CharTable}.
 *
 * <p>Immutable and thread-safe; each call uses its own {@link WordBuffer}.
 */
final class PieceTokenizer {

  private final AddedTokenMatcher addedTokens;
  private final CharTable table;
  private final WordPiece model;

  PieceTokenizer(AddedTokenMatcher addedTokens, CharTable table, WordPiece model) {
    this.addedTokens = addedTokens;
    this.table = table;
    this.model = model;
  }

  /** Appends the pieces of {@code text} to {@code out}; spans are UTF-16 indices into {@code text}. */
  void tokenize(String text, TokenBuffer out) {
    WordBuffer word = new WordBuffer();
    int length = text.length();
    if (addedTokens.isEmpty()) {
      tokenizeStretch(text, 0, length, word, out);
      return;
    }
    int from = 0;
    while (from < length) {
      long match = addedTokens.next(text, from, length);
      if (match == AddedTokenMatcher.NONE) {
        tokenizeStretch(text, from, length, word, out);
        return;
      }
      int at = AddedTokenMatcher.position(match);
      int end = at + addedTokens.length(match);
      tokenizeStretch(text, from, at, word, out);
      out.add(addedTokens.id(match), at, end);
      from = end;
    }
  }

  /** Normalizes, splits into words and word pieces the added-token-free {@code text[from, to)}. */
  private void tokenizeStretch(String text, int from, int to, WordBuffer word, TokenBuffer out) {
    word.clear();
    int i = from;
    while (i < to) {
      int start = i;
      int cp = text.charAt(i++);
      if (Character.isHighSurrogate((char) cp) && i < to && Character.isLowSurrogate(text.charAt(i))) {
        cp = Character.toCodePoint((char) cp, text.charAt(i++));
      }
      int entry = table.entry(cp);
      if (entry == CharTable.KEEP) { // the common case: a word character that stays as it is
        word.append(cp, start, i);
      } else if (CharTable.kind(entry) == CharTable.MULTI) {
        for (int part : table.multi(cp, entry)) {
          apply(part, cp, start, i, word, out);
        }
      } else {
        apply(entry, cp, start, i, word, out);
      }
    }
    endWord(word, out);
  }

  /** Applies one non-MULTI table entry for the code point {@code cp} found at {@code [start, end)}. */
  private void apply(int entry, int cp, int start, int end, WordBuffer word, TokenBuffer out) {
    switch (CharTable.kind(entry)) {
      case CharTable.KEEP -> word.append(cp, start, end);
      case CharTable.WORD -> word.append(CharTable.value(entry), start, end);
      case CharTable.SPACE -> endWord(word, out);
      case CharTable.ISOLATE -> {
        endWord(word, out);
        word.append(CharTable.value(entry), start, end);
        endWord(word, out);
      }
      case CharTable.DROP -> { }
      default -> throw new IllegalStateException("char table entry " + Integer.toHexString(entry));
    }
  }

  private void endWord(WordBuffer word, TokenBuffer out) {
    if (!word.isEmpty()) {
      model.tokenize(word, out);
      word.clear();
    }
  }
}
