package dev.jbert.finetune.model;

import dev.jbert.finetune.ood.DetectorKind;
import java.util.Objects;

/**
 * Routes uncertain or unknown messages to a person: when the message's in-scope score from {@code
 * detector} is below {@code threshold}, the answer is {@code handOffLabel} (e.g. {@code
 * transfer_to_agent}, or 转人工) instead of a class. With the {@link DetectorKind#SOFTMAX softmax}
 * detector (the default) the score is the top probability of the prediction.
 *
 * @param threshold lowest in-scope score answered automatically; for the softmax detector in [0, 1],
 *     where 0 never hands off and {@code Math.nextUp(1.0)} (what {@code ThresholdPicker} returns when
 *     no threshold reaches its target and some confidence is exactly 1) always does
 * @param handOffLabel the answer given instead
 * @param detector the score the threshold applies to
 */
public record HandOff(double threshold, String handOffLabel, DetectorKind detector) {

  /** A usual English hand-off label. */
  public static final String TRANSFER_TO_AGENT = "transfer_to_agent";

  public HandOff {
    Objects.requireNonNull(handOffLabel, "handOffLabel");
    Objects.requireNonNull(detector, "detector");
    if (detector == DetectorKind.SOFTMAX && !(threshold >= 0 && threshold <= Math.nextUp(1.0))) {
      throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
    }
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException("threshold must be a finite number, got " + threshold);
    }
  }

  /** A hand-off below top probability {@code threshold} (the softmax detector). */
  public HandOff(double threshold, String handOffLabel) {
    this(threshold, handOffLabel, DetectorKind.SOFTMAX);
  }

  /** Whether an answer whose in-scope score is {@code score} goes to a person. */
  public boolean handsOff(double score) {
    return score < threshold;
  }

  /** The same rule answering {@code label} instead. */
  public HandOff withLabel(String label) {
    return new HandOff(threshold, label, detector);
  }
}
