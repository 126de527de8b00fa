package dev.jbert.finetune.predict;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Picks the hand-off threshold on validation predictions: the lowest confidence threshold t such
 * that the answers given automatically (confidence ≥ t) are correct at least {@code targetPrecision}
 * of the time — the most automation the target allows.
 *
 * <p>If no threshold reaches the target, every message is handed off: the threshold is just above
 * the highest confidence and {@link Choice#reached()} is false.
 */
public final class ThresholdPicker {

  /**
   * The chosen threshold and what it gives on the validation data.
   *
   * @param threshold answer automatically when confidence ≥ threshold
   * @param precision share of automatic answers that are correct (NaN when none are given)
   * @param coverage share of messages answered automatically
   * @param reached whether {@code precision ≥ target}
   */
  public record Choice(double threshold, double precision, double coverage, boolean reached) {}

  private ThresholdPicker() {}

  /**
   * @param confidence {@code [n]} top probability of each validation prediction
   * @param correct {@code [n]} whether that prediction was right
   * @param targetPrecision wanted precision of automatic answers, in (0, 1]
   */
  public static Choice forPrecision(double[] confidence, boolean[] correct, double targetPrecision) {
    if (confidence.length != correct.length || confidence.length == 0) {
      throw new IllegalArgumentException("need as many correctness flags as confidences, at least one; got "
          + confidence.length + " and " + correct.length);
    }
    if (!(targetPrecision > 0 && targetPrecision <= 1)) {
      throw new IllegalArgumentException("target precision must be in (0, 1], got " + targetPrecision);
    }
    int n = confidence.length;
    Integer[] order = new Integer[n];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> confidence[i]).reversed());

    // Walk down the confidences; a threshold at a value answers every message with that value or more.
    Choice best = null;
    int answered = 0;
    int right = 0;
    for (int k = 0; k < n; k++) {
      int i = order[k];
      answered++;
      right += correct[i] ? 1 : 0;
      boolean lastOfTies = k + 1 == n || confidence[order[k + 1]] < confidence[i];
      double precision = (double) right / answered;
      if (lastOfTies && precision >= targetPrecision) {
        best = new Choice(confidence[i], precision, (double) answered / n, true);
      }
    }
    if (best != null) {
      return best;
    }
    return new Choice(Math.nextUp(confidence[order[0]]), Double.NaN, 0, false);
  }
}
