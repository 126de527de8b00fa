package dev.jbert.core.nn;

import dev.jbert.core.kernel.Flat;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The consistency term of R-Drop (Liang et al., 2021, "R-Drop: Regularized Dropout for Neural
 * Networks"): the batch holds every input twice, rows {@code b} and {@code b + B} of logits
 * {@code [2B, classes]} are the same input under two dropout masks, and the term pulls their two
 * predictions together with the symmetric KL divergence, averaged over the B pairs:
 * <pre>
 *   loss = α · ½ · (1/B) Σ_b [ KL(p_b ‖ q_b) + KL(q_b ‖ p_b) ],   p_b = softmax(z_b), q_b = softmax(z_{b+B})
 *        = α · ½ · (1/B) Σ_b Σ_c (p_bc − q_bc)(log p_bc − log q_bc)
 * </pre>
 * With r = log p − log q the gradient is {@code d/dz_b = α/(2B) [p ⊙ (r − Σ_c p_c r_c) + p − q]}, and
 * for {@code z_{b+B}} the same with p and q (and the sign of r) swapped. The paper's reference code sums
 * the KL over the batch; here it is a mean, as the cross-entropy beside it, so α does not grow with
 * the batch size ({@code α_here = B · α_paper}).
 */
public final class RDropLoss {

  private final double alpha;
  private double[] p;   // [2B·classes] softmax of the last logits
  private double[] logP; // [2B·classes]
  private int pairs;
  private int classes;

  /** @param alpha weight α &gt; 0 of the term */
  public RDropLoss(double alpha) {
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("R-Drop weight must be finite and > 0, got " + alpha);
    }
    this.alpha = alpha;
  }

  /** The weight α. */
  public double alpha() {
    return alpha;
  }

  /** The term for logits {@code [2B, classes]} whose second half repeats the first half's inputs. */
  public double forward(INDArray logits) {
    int rows = (int) logits.size(0);
    if (rows % 2 != 0) {
      throw new IllegalArgumentException("R-Drop needs each input twice (a batch of 2B rows), got " + rows + " rows");
    }
    pairs = rows / 2;
    classes = (int) logits.size(1);
    logP = LogSoftmax.rows(Flat.of(logits).toArray(), classes);
    p = new double[logP.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(logP[i]);
    }
    double divergence = 0;
    for (int b = 0; b < pairs; b++) {
      int first = b * classes;
      int second = (b + pairs) * classes;
      for (int c = 0; c < classes; c++) {
        divergence += (p[first + c] - p[second + c]) * (logP[first + c] - logP[second + c]);
      }
    }
    return alpha * 0.5 * divergence / pairs;
  }

  /** Adds d term / d logits {@code [2B, classes]} of the last forward to {@code dLogits}. */
  public void backwardAdd(INDArray dLogits) {
    double[] g = Flat.of(dLogits).toArray();
    double scale = alpha * 0.5 / pairs;
    for (int b = 0; b < pairs; b++) {
      addHalf(g, b * classes, (b + pairs) * classes, scale);
      addHalf(g, (b + pairs) * classes, b * classes, scale);
    }
    Flat.of(dLogits).put(0, g, 0, g.length);
  }

  /** d/dz of the row at {@code self} against its twin at {@code other}: p ⊙ (r − E_p[r]) + p − q. */
  private void addHalf(double[] g, int self, int other, double scale) {
    double mean = 0;
    for (int c = 0; c < classes; c++) {
      mean += p[self + c] * (logP[self + c] - logP[other + c]);
    }
    for (int c = 0; c < classes; c++) {
      double r = logP[self + c] - logP[other + c];
      g[self + c] += scale * (p[self + c] * (r - mean) + p[self + c] - p[other + c]);
    }
  }

  @Override
  public String toString() {
    return "RDropLoss[alpha=" + alpha + "]";
  }
}
