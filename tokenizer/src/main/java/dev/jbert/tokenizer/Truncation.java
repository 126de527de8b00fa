package dev.jbert.tokenizer;

/**
 * Cuts one sequence or a pair down to a token budget (the maximum length minus the special tokens
 * the template will add) with the rules of the Hugging Face tokenizers library.
 */
final class Truncation {

  private Truncation() {}

  /**
   * Truncates {@code a} and {@code b} (null for a single sequence) in place so that together they
   * hold at most {@code budget} tokens.
   *
   * @throws IllegalArgumentException when the strategy cannot reach the budget
   */
  static void apply(TokenBuffer a, TokenBuffer b, int budget, TruncationStrategy strategy, Side side) {
    int total = a.size + (b == null ? 0 : b.size);
    if (strategy == TruncationStrategy.NONE || total <= budget) {
      return;
    }
    if (budget == 0) { // the library's special case: everything goes, whatever the strategy
      a.keep(0, side);
      if (b != null) {
        b.keep(0, side);
      }
      return;
    }
    int excess = total - budget;
    switch (strategy) {
      case LONGEST_FIRST -> {
        if (b == null) {
          a.keep(budget, side);
        } else {
          longestFirst(a, b, budget, side);
        }
      }
      case ONLY_FIRST -> cutOne(a, excess, side, "first");
      case ONLY_SECOND -> {
        if (b == null) {
          throw new IllegalArgumentException(
              "truncation ONLY_SECOND needs a text pair, but the single text is " + excess + " tokens too long");
        }
        cutOne(b, excess, side, "second");
      }
      default -> throw new IllegalStateException(strategy.toString());
    }
  }

  /**
   * If the shorter sequence fits in half the budget it stays whole and the longer one gets the
   * rest; otherwise both get half and the originally longer one the odd token (the second one on
   * a tie).
   */
  private static void longestFirst(TokenBuffer a, TokenBuffer b, int budget, Side side) {
    boolean firstIsLonger = a.size > b.size;
    int shorter = Math.min(a.size, b.size);
    int longer = shorter > budget ? shorter : Math.max(shorter, budget - shorter);
    if (shorter + longer > budget) {
      shorter = budget / 2;
      longer = shorter + budget % 2;
    }
    a.keep(firstIsLonger ? longer : shorter, side);
    b.keep(firstIsLonger ? shorter : longer, side);
  }

  /** Removes {@code excess} tokens from one sequence, which must keep at least one. */
  private static void cutOne(TokenBuffer target, int excess, Side side, String which) {
    if (target.size <= excess) {
      throw new IllegalArgumentException(
          "cannot truncate only the " + which + " sequence: it has " + target.size
              + " tokens but " + excess + " must go");
    }
    target.keep(target.size - excess, side);
  }
}
