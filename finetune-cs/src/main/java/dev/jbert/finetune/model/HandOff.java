package dev.jbert.finetune.model;

import java.util.Objects;

/**
 * Routes uncertain answers to a person: when the top probability is below {@code threshold}, the
 * answer is {@code handOffLabel} (e.g. {@code transfer_to_agent}, or 转人工) instead of a class.
 *
 * @param threshold minimum top probability for an automatic answer, in [0, 1]; 0 never hands off, and
 *     {@code Math.nextUp(1.0)} (what {@code ThresholdPicker} returns when no threshold reaches its
 *     target and some confidence is exactly 1) always does
 * @param handOffLabel the answer given instead
 */
public record HandOff(double threshold, String handOffLabel) {

  /** A usual English hand-off label. */
  public static final String TRANSFER_TO_AGENT = "transfer_to_agent";

  public HandOff {
    Objects.requireNonNull(handOffLabel, "handOffLabel");
    if (!(threshold >= 0 && threshold <= Math.nextUp(1.0))) {
      throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
    }
  }

  /** Whether an answer whose top probability is {@code score} goes to a person. */
  public boolean handsOff(double score) {
    return score < threshold;
  }
}
