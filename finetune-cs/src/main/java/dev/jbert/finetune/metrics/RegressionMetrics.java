package dev.jbert.finetune.metrics;

import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;

/**
 * Error and correlation of predicted scores.
 *
 * @param mse mean squared error
 * @param mae mean absolute error
 * @param pearson Pearson correlation; NaN when either side is constant or n &lt; 2
 * @param spearman Spearman rank correlation, ties ranked by their average rank (as SciPy); NaN
 *     when either side is constant or n &lt; 2
 * @param count number of examples scored
 */
public record RegressionMetrics(double mse, double mae, double pearson, double spearman, int count) {

  /** Scores {@code predicted} against {@code gold}, both {@code [n]}. */
  public static RegressionMetrics compute(double[] gold, double[] predicted) {
    if (gold.length != predicted.length) {
      throw new IllegalArgumentException("gold has " + gold.length + " values, predicted " + predicted.length);
    }
    int n = gold.length;
    if (n == 0) {
      throw new IllegalArgumentException("nothing to score");
    }
    double squared = 0;
    double absolute = 0;
    for (int i = 0; i < n; i++) {
      double error = predicted[i] - gold[i];
      squared += error * error;
      absolute += Math.abs(error);
    }
    return new RegressionMetrics(squared / n, absolute / n, correlation(gold, predicted, false), correlation(gold, predicted, true), n);
  }

  private static double correlation(double[] a, double[] b, boolean ranks) {
    if (a.length < 2 || isConstant(a) || isConstant(b)) {
      return Double.NaN;
    }
    return ranks ? new SpearmansCorrelation().correlation(a, b) : new PearsonsCorrelation().correlation(a, b);
  }

  private static boolean isConstant(double[] values) {
    for (double v : values) {
      if (v != values[0]) {
        return false;
      }
    }
    return true;
  }
}
