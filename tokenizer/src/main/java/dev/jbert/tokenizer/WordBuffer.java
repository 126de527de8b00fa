package dev.jbert.tokenizer;

import java.util.Arrays;

/**
 * The normalized characters of the word being built, each with the span of the original text it
 * came from. One instance serves a whole encode call; it is not shared between threads.
 */
final class WordBuffer {

  char[] chars = new char[64];
  /** Original-text start (inclusive) of the character at each position. */
  int[] starts = new int[64];
  /** Original-text end (exclusive) of the character at each position. */
  int[] ends = new int[64];
  int length;
  int codePoints;
  /** Scratch for WordPiece: hashes of the prefixes of the remaining word. */
  int[] prefixHashes = new int[64];

  boolean isEmpty() {
    return length == 0;
  }

  void clear() {
    length = 0;
    codePoints = 0;
  }

  /** Appends a normalized code point that came from {@code original[start, end)}. */
  void append(int cp, int start, int end) {
    if (length + 2 > chars.length) {
      grow();
    }
    if (cp < Character.MIN_SUPPLEMENTARY_CODE_POINT) {
      put((char) cp, start, end);
    } else {
      put(Character.highSurrogate(cp), start, end);
      put(Character.lowSurrogate(cp), start, end);
    }
    codePoints++;
  }

  private void put(char c, int start, int end) {
    chars[length] = c;
    starts[length] = start;
    ends[length] = end;
    length++;
  }

  int[] prefixHashes(int size) {
    if (prefixHashes.length < size) {
      prefixHashes = new int[Math.max(size, prefixHashes.length * 2)];
    }
    return prefixHashes;
  }

  private void grow() {
    int size = chars.length * 2;
    chars = Arrays.copyOf(chars, size);
    starts = Arrays.copyOf(starts, size);
    ends = Arrays.copyOf(ends, size);
  }
}
