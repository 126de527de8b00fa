package dev.jbert.finetune.predict;

/** Class probabilities from logits, computed in double with the maximum subtracted (no overflow). */
public final class Softmax {

  private Softmax() {}

  /** softmax({@code logits}) over one row {@code [classes]}. */
  public static double[] of(double[] logits) {
    if (logits.length == 0) {
      throw new IllegalArgumentException("no logits");
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double z : logits) {
      if (Double.isNaN(z)) {
        throw new IllegalArgumentException("logit is NaN");
      }
      max = Math.max(max, z);
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      p[i] = Math.exp(logits[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  /**
   * softmax({@code logits / temperature}) of a float row, computed as {@code exp((z − max) / T)}
   * normalised, so that the top probability is exactly {@code 1 / Σ exp((z_i − max) / T)} as the
   * softmax detector and temperature scaling compute it.
   */
  public static double[] of(float[] logits, double temperature) {
    if (temperature == 1.0) {
      return of(logits);
    }
    double[] scaled = new double[logits.length];
    double max = Double.NEGATIVE_INFINITY;
    for (float z : logits) {
      max = Math.max(max, z);
    }
    for (int i = 0; i < logits.length; i++) {
      scaled[i] = (logits[i] - max) / temperature;
    }
    return of(scaled);
  }

  /** softmax of a float row. */
  public static double[] of(float[] logits) {
    double[] wide = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      wide[i] = logits[i];
    }
    return of(wide);
  }
}
