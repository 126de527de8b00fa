package dev.jbert.finetune.datasets;

/**
 * How reply-appropriateness pairs are built: every message with its own reply is a positive, and
 * each positive gets {@code negativesPerPositive} negatives, replies drawn (with replacement) from
 * other examples of the same split.
 *
 * @param negativesPerPositive negatives per positive, at least 1 (1 gives a 1:1 ratio, 3 gives 1:3)
 * @param hardFraction chance, per negative, of drawing a hard negative (a reply from a different
 *     intent/dialogue of the same category/domain) instead of an easy one (any different
 *     intent/dialogue); when no hard candidate exists an easy one is drawn
 * @param seed seeds the draws; the same seed gives the same pairs
 */
public record PairSampling(int negativesPerPositive, double hardFraction, long seed) {

  /** Label of a (message, reply) pair whose reply fits the message. */
  public static final String APPROPRIATE = "appropriate";
  /** Label of a (message, reply) pair whose reply belongs to something else. */
  public static final String INAPPROPRIATE = "inappropriate";

  public PairSampling {
    if (negativesPerPositive < 1) {
      throw new IllegalArgumentException("negativesPerPositive must be at least 1, got " + negativesPerPositive);
    }
    if (!(hardFraction >= 0 && hardFraction <= 1)) {
      throw new IllegalArgumentException("hardFraction must be in [0, 1], got " + hardFraction);
    }
  }

  /** One negative per positive, half of them hard. */
  public static PairSampling balanced(long seed) {
    return new PairSampling(1, 0.5, seed);
  }
}
