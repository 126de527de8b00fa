package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Cosine similarity of pairs of rows of one matrix, as {@code torch.cosine_similarity}:
 * {@code cos_p = ⟨e_l, e_r⟩ / max(‖e_l‖ ‖e_r‖, 1e-8)} for pair p = (l, r). Taking both sides from one
 * matrix lets a pair batch run through the encoder as one batch (left sentences, then right ones).
 * One kernel over double rows for both precisions.
 */
public final class CosineSimilarity {

  /** {@code torch.cosine_similarity}'s default eps. */
  static final double EPS = 1e-8;

  private CosineSimilarity() {}

  /**
   * @param cos [pairs] receives the similarities
   * @param norms [rows] receives ‖e_i‖ of every row, saved for the backward
   * @param embeddings [rows, width]
   * @param left row of each pair's first side
   * @param right row of each pair's second side
   */
  public static void forward(double[] cos, double[] norms, INDArray embeddings, int[] left, int[] right) {
    int width = (int) embeddings.size(1);
    double[] e = Flat.of(embeddings).toArray();
    for (int i = 0; i < norms.length; i++) {
      double ss = 0;
      for (int j = 0; j < width; j++) {
        ss += e[i * width + j] * e[i * width + j];
      }
      norms[i] = Math.sqrt(ss);
    }
    for (int p = 0; p < cos.length; p++) {
      cos[p] = dot(e, left[p], right[p], width) / Math.max(norms[left[p]] * norms[right[p]], EPS);
    }
  }

  /**
   * Overwrites {@code dembeddings} [rows, width] with d/d e of Σ_p dcos_p · cos_p:
   * {@code d e_l += dcos (e_r / (‖e_l‖‖e_r‖) − cos e_l / ‖e_l‖²)} and symmetrically for e_r; rows in no
   * pair get 0. Where the product of norms was clamped to eps, {@code d e_l += dcos e_r / eps}.
   */
  public static void backward(INDArray dembeddings, double[] dcos, INDArray embeddings, double[] cos, double[] norms,
      int[] left, int[] right) {
    int width = (int) embeddings.size(1);
    double[] e = Flat.of(embeddings).toArray();
    double[] d = new double[e.length];
    for (int p = 0; p < dcos.length; p++) {
      int l = left[p];
      int r = right[p];
      double nn = norms[l] * norms[r];
      boolean clamped = !(nn > EPS);
      double denom = Math.max(nn, EPS);
      double cl = clamped ? 0 : cos[p] / (norms[l] * norms[l]);
      double cr = clamped ? 0 : cos[p] / (norms[r] * norms[r]);
      for (int j = 0; j < width; j++) {
        double el = e[l * width + j];
        double er = e[r * width + j];
        d[l * width + j] += dcos[p] * (er / denom - cl * el);
        d[r * width + j] += dcos[p] * (el / denom - cr * er);
      }
    }
    Flat.of(dembeddings).put(0, d, 0, d.length);
  }

  private static double dot(double[] e, int a, int b, int width) {
    double s = 0;
    for (int j = 0; j < width; j++) {
      s += e[a * width + j] * e[b * width + j];
    }
    return s;
  }
}
