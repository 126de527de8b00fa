package dev.jbert.core.nn;

/** Row-wise log-softmax in double, shared by the losses that read probabilities of logits. */
final class LogSoftmax {

  private LogSoftmax() {}

  /**
   * {@code log softmax} of each row of {@code z} ([rows·classes], row-major), computed as
   * {@code z − (max + log Σ exp(z − max))} so that no exponent overflows.
   */
  static double[] rows(double[] z, int classes) {
    double[] logP = new double[z.length];
    for (int off = 0; off < z.length; off += classes) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, z[off + c]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += Math.exp(z[off + c] - max);
      }
      double logSum = max + Math.log(sum);
      for (int c = 0; c < classes; c++) {
        logP[off + c] = z[off + c] - logSum;
      }
    }
    return logP;
  }
}
