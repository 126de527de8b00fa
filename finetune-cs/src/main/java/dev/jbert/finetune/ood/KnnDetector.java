package dev.jbert.finetune.ood;

import java.util.Arrays;

/**
 * Nearest-neighbour distance (Sun et al., 2022, on L2-normalised features): the in-scope score is
 * minus the cosine distance {@code 1 − cos(f, b)} from the message's pooled features to its k-th
 * nearest training feature {@code b}. The k-th rather than the first neighbour makes one stray
 * training message near an unknown question matter less. The bank holds the unit-length features
 * of the in-scope training messages.
 */
public final class KnnDetector implements OodDetector {

  /**
   * Default k: 10, well below the ~100 training messages per intent of CLINC150 and the 10 per
   * intent of few-shot sets, so that the k-th neighbour is still of the message's own intent when
   * it is in scope.
   */
  public static final int DEFAULT_K = 10;

  private final float[][] bank;
  private final int k;

  /**
   * @param bank {@code [n, d]} training features; each row is scaled to unit length (a zero row stays zero)
   * @param k which neighbour counts, 1 ≤ k ≤ n
   */
  public KnnDetector(float[][] bank, int k) {
    this(bank, k, true);
  }

  private KnnDetector(float[][] bank, int k, boolean normalise) {
    if (k < 1 || k > bank.length) {
      throw new IllegalArgumentException("k must be in 1.." + bank.length + " (the training features kept), got " + k);
    }
    this.bank = new float[bank.length][];
    for (int i = 0; i < bank.length; i++) {
      if (bank[i].length != bank[0].length) {
        throw new IllegalArgumentException("bank row " + i + " has " + bank[i].length + " values, row 0 has " + bank[0].length);
      }
      this.bank[i] = normalise ? unit(bank[i]) : bank[i].clone();
    }
    this.k = k;
  }

  /** A detector of a saved bank, already unit length: used as saved, so that it scores bit for bit as before saving. */
  static KnnDetector ofUnitBank(float[][] bank, int k) {
    return new KnnDetector(bank, k, false);
  }

  @Override
  public DetectorKind kind() {
    return DetectorKind.KNN;
  }

  /** Which neighbour counts. */
  public int k() {
    return k;
  }

  /** The unit-length training features, {@code [n, d]} (a copy). */
  public float[][] bank() {
    float[][] out = new float[bank.length][];
    for (int i = 0; i < bank.length; i++) {
      out[i] = bank[i].clone();
    }
    return out;
  }

  @Override
  public double score(float[] logits, float[] features) {
    if (features == null || features.length != bank[0].length) {
      throw new IllegalArgumentException("the kNN detector needs the " + bank[0].length + " pooled features of the message");
    }
    float[] q = unit(features);
    double[] top = new double[k]; // the k largest similarities, descending
    Arrays.fill(top, Double.NEGATIVE_INFINITY);
    for (float[] b : bank) {
      double s = 0;
      for (int j = 0; j < q.length; j++) {
        s += (double) q[j] * b[j];
      }
      if (s > top[k - 1]) {
        int at = k - 1;
        while (at > 0 && top[at - 1] < s) {
          top[at] = top[at - 1];
          at--;
        }
        top[at] = s;
      }
    }
    return -(1 - top[k - 1]);
  }

  private static float[] unit(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    norm = Math.sqrt(norm);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length && norm > 0; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }
}
