package dev.jbert.finetune.calibrate;

import java.util.ArrayList;
import java.util.List;

/**
 * Expected calibration error with {@value #BINS} equal-width bins, the standard definition (Naeini et
 * al., 2015; Guo et al., 2017): bin {@code m} holds the predictions whose confidence (top
 * probability) is in {@code ((m−1)/M, m/M]} (confidence 0 in the first), and
 * {@code ECE = Σ_m |B_m|/n · |accuracy(B_m) − mean confidence(B_m)|}. 0 is perfectly calibrated: among
 * answers given with confidence about 0.95, about 95% are right.
 */
public final class CalibrationError {

  /** Number of equal-width bins. */
  public static final int BINS = 15;

  /**
   * One bin of the reliability diagram.
   *
   * @param lower exclusive lower edge (inclusive for the first bin)
   * @param upper inclusive upper edge
   * @param count predictions in the bin
   * @param accuracy share of them that are right (NaN when empty)
   * @param confidence their mean confidence (NaN when empty)
   */
  public record Bin(double lower, double upper, int count, double accuracy, double confidence) {}

  private CalibrationError() {}

  /** The ECE of predictions with these confidences and correctness, over {@value #BINS} bins. */
  public static double expected(double[] confidence, boolean[] correct) {
    double ece = 0;
    int n = confidence.length;
    for (Bin b : bins(confidence, correct)) {
      if (b.count() > 0) {
        ece += (double) b.count() / n * Math.abs(b.accuracy() - b.confidence());
      }
    }
    return ece;
  }

  /** Fails unless there is one correctness flag per confidence, and at least one of each. */
  static void checkPaired(double[] confidence, boolean[] correct) {
    if (confidence.length != correct.length || confidence.length == 0) {
      throw new IllegalArgumentException("need one correctness flag per confidence, at least one; got "
          + confidence.length + " and " + correct.length);
    }
  }

  /** The {@value #BINS} bins, lowest confidence first. */
  public static List<Bin> bins(double[] confidence, boolean[] correct) {
    checkPaired(confidence, correct);
    int[] count = new int[BINS];
    int[] right = new int[BINS];
    double[] sum = new double[BINS];
    for (int i = 0; i < confidence.length; i++) {
      double c = confidence[i];
      if (!(c >= 0 && c <= 1)) {
        throw new IllegalArgumentException("confidence[" + i + "] = " + c + " is not in [0, 1]");
      }
      int m = Math.max(0, (int) Math.ceil(c * BINS) - 1); // (m/M, (m+1)/M] → m; 0 → 0
      if (m > 0 && c <= (double) m / BINS) {
        m--; // c·M rounded up past an edge, e.g. 2/15·15 = 2.0000000000000004
      }
      count[m]++;
      right[m] += correct[i] ? 1 : 0;
      sum[m] += c;
    }
    List<Bin> out = new ArrayList<>(BINS);
    for (int m = 0; m < BINS; m++) {
      out.add(new Bin((double) m / BINS, (double) (m + 1) / BINS, count[m],
          count[m] == 0 ? Double.NaN : (double) right[m] / count[m], count[m] == 0 ? Double.NaN : sum[m] / count[m]));
    }
    return out;
  }
}
