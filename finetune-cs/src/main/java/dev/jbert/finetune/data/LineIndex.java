package dev.jbert.finetune.data;

import java.util.Arrays;

/** Maps character offsets of a text to physical 1-based line numbers (a line ends at {@code \n}). */
final class LineIndex {

  /** Offsets at which each line starts, ascending; {@code starts[0] = 0}. */
  private final int[] starts;

  LineIndex(String text) {
    int count = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        count++;
      }
    }
    starts = new int[count];
    int line = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        starts[line++] = i + 1;
      }
    }
  }

  /** The physical line containing character {@code offset}. */
  long lineOf(long offset) {
    int i = Arrays.binarySearch(starts, (int) offset);
    return i >= 0 ? i + 1 : -i - 1;
  }

  /** True when physical line {@code line} of {@code text} holds nothing but its line break. */
  boolean isEmptyLine(String text, long line) {
    int start = starts[(int) line - 1];
    return start >= text.length() || text.charAt(start) == '\n' || text.startsWith("\r\n", start);
  }

  /** Number of physical lines (a final line without a line break counts). */
  int lineCount() {
    return starts.length;
  }
}
