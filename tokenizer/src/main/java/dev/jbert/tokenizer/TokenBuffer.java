package dev.jbert.tokenizer;

import java.util.Arrays;

/** A growable list of (id, original start, original end) triples: one sequence's word pieces. */
final class TokenBuffer {

  int[] ids;
  int[] starts;
  int[] ends;
  int size;

  TokenBuffer(int capacity) {
    int n = Math.max(capacity, 8);
    ids = new int[n];
    starts = new int[n];
    ends = new int[n];
  }

  /** Wraps ids that have no text behind them (offsets 0, 0). */
  static TokenBuffer ofIds(int[] tokenIds) {
    TokenBuffer buffer = new TokenBuffer(tokenIds.length);
    System.arraycopy(tokenIds, 0, buffer.ids, 0, tokenIds.length);
    buffer.size = tokenIds.length;
    return buffer;
  }

  void add(int id, int start, int end) {
    if (size == ids.length) {
      int n = size * 2;
      ids = Arrays.copyOf(ids, n);
      starts = Arrays.copyOf(starts, n);
      ends = Arrays.copyOf(ends, n);
    }
    ids[size] = id;
    starts[size] = start;
    ends[size] = end;
    size++;
  }

  /** Forgets every token from position {@code newSize} on. */
  void truncate(int newSize) {
    size = newSize;
  }

  /**
   * Keeps {@code keep} tokens: the first ones when cutting on the right, the last ones when
   * cutting on the left.
   */
  void keep(int keep, Side side) {
    if (keep >= size) {
      return;
    }
    if (side == Side.LEFT) {
      int from = size - keep;
      System.arraycopy(ids, from, ids, 0, keep);
      System.arraycopy(starts, from, starts, 0, keep);
      System.arraycopy(ends, from, ends, 0, keep);
    }
    size = keep;
  }

  int[] idsCopy() {
    return Arrays.copyOf(ids, size);
  }
}
