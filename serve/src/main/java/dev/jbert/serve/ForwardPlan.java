package dev.jbert.serve;

/**
 * Cuts a batch's inputs, sorted by length, into forward passes so that little compute goes to padding:
 * one pass of 32 messages of 6 to 50 tokens pads every message to 50, while a pass of the short ones
 * and a pass of the long ones pad far less, at the price of one more pass's fixed cost.
 *
 * <p>The cost of a pass of {@code n} inputs padded to {@code L} tokens, in tokens' worth of work, is
 * {@code OVERHEAD_TOKENS + n·L·(1 + L / ATTENTION_LENGTH)}: a fixed cost per pass (ND4J's per-op
 * dispatch), the linear layers (per token) and attention (per token and per token of length). The two
 * constants come from this project's inference timings of the MiniLM-L6 shape (1×32: 16.3 ms, 32×64:
 * 330 ms, 16×128: 444 ms, in the benchmark table of that day): 12 ms fixed ≈ 120 tokens, and the
 * attention term equal to the linear one at a length of about 115. Dynamic programming over the sorted
 * lengths then finds the cheapest cuts, with at most {@code maxInputs} inputs and {@code maxTokens}
 * padded tokens per pass (a single input may exceed the latter).
 */
final class ForwardPlan {

  /** The fixed cost of a forward pass, in tokens of work. */
  static final double OVERHEAD_TOKENS = 120;

  /** The length at which attention costs as much per token as the rest of the layer. */
  static final double ATTENTION_LENGTH = 115;

  private ForwardPlan() {}

  /** The modelled cost of one pass of {@code n} inputs padded to {@code length} tokens. */
  static double cost(int n, int length) {
    return OVERHEAD_TOKENS + (double) n * length * (1 + length / ATTENTION_LENGTH);
  }

  /**
   * @param sortedLengths token counts, ascending
   * @param maxInputs inputs per pass at most, at least 1
   * @param maxTokens padded tokens per pass at most ({@code inputs × longest}), unless the pass holds one input
   * @return the (exclusive) end of each pass, ascending; the last is {@code sortedLengths.length}
   */
  static int[] cuts(int[] sortedLengths, int maxInputs, long maxTokens) {
    int n = sortedLengths.length;
    double[] best = new double[n + 1];
    int[] from = new int[n + 1];
    for (int i = 1; i <= n; i++) {
      int longest = sortedLengths[i - 1];
      if (i > 1 && sortedLengths[i - 2] > longest) {
        throw new IllegalArgumentException("lengths must be ascending");
      }
      best[i] = Double.POSITIVE_INFINITY;
      for (int j = i - 1; j >= 0 && i - j <= maxInputs; j--) {
        int size = i - j;
        if (size > 1 && (long) size * longest > maxTokens) {
          break; // longer passes only get bigger
        }
        double c = best[j] + cost(size, longest);
        if (c < best[i]) {
          best[i] = c;
          from[i] = j;
        }
      }
    }
    int passes = 0;
    for (int i = n; i > 0; i = from[i]) {
      passes++;
    }
    int[] ends = new int[passes];
    for (int i = n, k = passes - 1; i > 0; i = from[i], k--) {
      ends[k] = i;
    }
    return ends;
  }
}
