package dev.jbert.core.nn;

import dev.jbert.core.kernel.CosineSimilarity;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * sentence-transformers' {@code CosineSimilarityLoss}: {@code MSELoss(cos(u_p, v_p), t_p)} with mean
 * reduction over the pairs, where u and v are sentence embeddings and t the pair's target (1 for a
 * pair of the same class, 0 for a pair of different classes in SetFit). The pairs index rows of one
 * embedding matrix ({@link CosineSimilarity}); gradient {@code d cos_p = 2 (cos_p − t_p) / pairs}.
 */
public final class CosineSimilarityLoss {

  private INDArray embeddings;
  private int[] left;
  private int[] right;
  private double[] cos;
  private double[] norms;
  private double[] diff;

  /**
   * Mean squared difference of the pairs' cosine similarities and their targets.
   *
   * @param embeddings [rows, width], kept (not copied) for the backward
   * @param left row of each pair's first sentence
   * @param right row of each pair's second sentence
   * @param targets one target per pair
   */
  public double forward(INDArray embeddings, int[] left, int[] right, double[] targets) {
    int rows = (int) embeddings.size(0);
    if (left.length != right.length || left.length != targets.length || left.length == 0) {
      throw new IllegalArgumentException(left.length + " left rows, " + right.length + " right rows and " + targets.length
          + " targets: one of each per pair, at least one pair");
    }
    for (int p = 0; p < left.length; p++) {
      if (left[p] < 0 || left[p] >= rows || right[p] < 0 || right[p] >= rows) {
        throw new IllegalArgumentException("pair " + p + " = (" + left[p] + ", " + right[p] + ") is outside the "
            + rows + " embedding rows");
      }
      if (!Double.isFinite(targets[p])) {
        throw new IllegalArgumentException("target of pair " + p + " is " + targets[p]);
      }
    }
    this.embeddings = embeddings;
    this.left = left.clone();
    this.right = right.clone();
    cos = new double[left.length];
    norms = new double[rows];
    CosineSimilarity.forward(cos, norms, embeddings, left, right);
    diff = new double[cos.length];
    double sum = 0;
    for (int p = 0; p < cos.length; p++) {
      diff[p] = cos[p] - targets[p];
      sum += diff[p] * diff[p];
    }
    return sum / cos.length;
  }

  /** Writes d loss / d embeddings [rows, width] for the last forward into {@code dEmbeddings}. */
  public void backward(INDArray dEmbeddings) {
    if (cos == null) {
      throw new IllegalStateException("backward before forward");
    }
    double[] dcos = new double[cos.length];
    for (int p = 0; p < dcos.length; p++) {
      dcos[p] = 2 * diff[p] / dcos.length;
    }
    CosineSimilarity.backward(dEmbeddings, dcos, embeddings, cos, norms, left, right);
  }

  /** The cosine similarities of the last forward, one per pair. */
  public double[] similarities() {
    return cos.clone();
  }
}
