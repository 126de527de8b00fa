package dev.jbert.finetune.metrics;

import java.util.Arrays;

/**
 * How well a score separates in-scope messages (positives, expected to score higher) from
 * out-of-scope ones: AUROC, the threshold that keeps a given share of in-scope messages, and the
 * share of out-of-scope messages that then get through (FPR at that in-scope recall, e.g. the
 * usual FPR95). A message is accepted as in scope when its score is ≥ the threshold, so equal
 * scores are always accepted or refused together.
 */
public final class DetectionMetrics {

  private DetectionMetrics() {}

  /**
   * Area under the ROC curve: the probability that a random in-scope message scores higher than a
   * random out-of-scope one, ties counting one half (the Mann–Whitney statistic). NaN when either
   * group is empty.
   */
  public static double auroc(double[] inScope, double[] outOfScope) {
    if (inScope.length == 0 || outOfScope.length == 0) {
      return Double.NaN;
    }
    double[] out = sorted(outOfScope);
    double wins = 0;
    for (double s : inScope) {
      int below = lowerBound(out, s); // out-of-scope scores < s
      int notAbove = upperBound(out, s); // ≤ s
      wins += below + 0.5 * (notAbove - below);
    }
    return wins / ((double) inScope.length * outOfScope.length);
  }

  /**
   * The highest threshold that keeps at least {@code recall} of the in-scope scores (score ≥
   * threshold): the {@code ⌈recall·n⌉}-th highest score. {@code -∞} when {@code recall} needs more
   * than the finite scores give.
   *
   * @param recall share of in-scope messages to accept, in (0, 1]
   */
  public static double thresholdForRecall(double[] inScope, double recall) {
    if (!(recall > 0 && recall <= 1)) {
      throw new IllegalArgumentException("in-scope recall must be in (0, 1], got " + recall);
    }
    if (inScope.length == 0) {
      throw new IllegalArgumentException("no in-scope scores to pick a threshold on");
    }
    double[] in = sorted(inScope);
    int keep = (int) Math.ceil(recall * in.length - 1e-9); // 1e-9: 0.95·20 is 19.000000000000004
    return in[in.length - Math.max(keep, 1)];
  }

  /**
   * The threshold to save for a hand-off that keeps {@code recall} of the in-scope scores: halfway
   * between the lowest score {@link #thresholdForRecall} keeps and the next lower in-scope score, so
   * the same messages are kept here, and the kept boundary message still is when its score is
   * computed again a few ulps lower (another batch's padding, another CPU's kernels). The lowest
   * kept score itself when no lower score exists or the two are adjacent doubles.
   */
  public static double marginThreshold(double[] inScope, double recall) {
    double kept = thresholdForRecall(inScope, recall);
    double below = Double.NEGATIVE_INFINITY;
    for (double s : inScope) {
      if (s < kept && s > below) {
        below = s;
      }
    }
    if (below == Double.NEGATIVE_INFINITY) {                  // nothing lower (also when kept is -inf)
      return kept;
    }
    double mid = below + (kept - below) / 2;
    return mid > below && mid <= kept ? mid : kept;
  }

  /** Share of {@code scores} accepted (≥ {@code threshold}); NaN when there are none. */
  public static double acceptedShare(double[] scores, double threshold) {
    if (scores.length == 0) {
      return Double.NaN;
    }
    int n = 0;
    for (double s : scores) {
      n += s >= threshold ? 1 : 0;
    }
    return (double) n / scores.length;
  }

  /**
   * Share of out-of-scope messages accepted at the threshold that keeps {@code recall} of the
   * in-scope ones ({@link #thresholdForRecall}); NaN without out-of-scope scores.
   */
  public static double fprAtRecall(double[] inScope, double[] outOfScope, double recall) {
    return acceptedShare(outOfScope, thresholdForRecall(inScope, recall));
  }

  private static double[] sorted(double[] values) {
    double[] s = values.clone();
    for (double v : s) {
      if (Double.isNaN(v)) {
        throw new IllegalArgumentException("a score is NaN");
      }
    }
    Arrays.sort(s);
    return s;
  }

  private static int lowerBound(double[] a, double v) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static int upperBound(double[] a, double v) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] <= v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
