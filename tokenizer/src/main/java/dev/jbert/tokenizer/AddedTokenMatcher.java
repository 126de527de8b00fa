package dev.jbert.tokenizer;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Finds added tokens ({@code [CLS]}, {@code [MASK]}, ...) written literally in a text, so that they
 * are kept whole and never normalized: leftmost match first, the longest one where several start at
 * the same position, case-sensitive ({@code [mask]} is not {@code [MASK]}).
 */
final class AddedTokenMatcher {

  /** Packed (position, token index) result of {@link #next} when nothing matches. */
  static final long NONE = -1L;

  private final String[] contents;
  private final int[] ids;
  /** One bit per BMP char that starts some token, to skip ordinary text quickly. */
  private final long[] firstChars = new long[1 << 10];
  private final boolean anySupplementaryStart;

  /** @param tokens the added tokens to match; those with empty content are ignored */
  AddedTokenMatcher(List<AddedToken> tokens) {
    AddedToken[] sorted =
        tokens.stream()
            .filter(t -> !t.content().isEmpty())
            .sorted(Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed())
            .toArray(AddedToken[]::new);
    contents = Arrays.stream(sorted).map(AddedToken::content).toArray(String[]::new);
    ids = Arrays.stream(sorted).mapToInt(AddedToken::id).toArray();
    boolean supplementary = false;
    for (String content : contents) {
      char first = content.charAt(0);
      firstChars[first >>> 6] |= 1L << first;
      supplementary |= Character.isHighSurrogate(first);
    }
    anySupplementaryStart = supplementary;
  }

  boolean isEmpty() {
    return contents.length == 0;
  }

  /**
   * The first added token in {@code text[from, to)}, as {@code position << 32 | index}, or
   * {@link #NONE}.
   */
  long next(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if ((firstChars[c >>> 6] & (1L << c)) == 0 && !anySupplementaryStart) {
        continue;
      }
      for (int t = 0; t < contents.length; t++) {
        String content = contents[t];
        if (i + content.length() <= to && text.startsWith(content, i)) {
          return ((long) i << 32) | t;
        }
      }
    }
    return NONE;
  }

  static int position(long match) {
    return (int) (match >>> 32);
  }

  int length(long match) {
    return contents[(int) match].length();
  }

  int id(long match) {
    return ids[(int) match];
  }
}
