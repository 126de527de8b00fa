package dev.jbert.core.nn;

import dev.jbert.core.kernel.Flat;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code torch.nn.MSELoss} with mean reduction: {@code mean((z − y)²)} over every element of the
 * logits [batch, outputs] (HF regression: {@code MSELoss(logits.squeeze(), labels)}); gradient
 * {@code 2 (z − y) / n}.
 */
public final class MseLoss {

  private double[] diff;   // [batch·outputs] z − y of the last forward

  /** @param targets one value per logit, row-major [batch·outputs] */
  public double forward(INDArray logits, double[] targets) {
    double[] z = Flat.of(logits).toArray();
    if (targets.length != z.length) {
      throw new IllegalArgumentException(targets.length + " regression targets for " + z.length + " outputs (shape "
          + java.util.Arrays.toString(logits.shape()) + ")");
    }
    diff = new double[z.length];
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      if (!Double.isFinite(targets[i])) {
        throw new IllegalArgumentException("regression target " + i + " is " + targets[i]);
      }
      diff[i] = z[i] - targets[i];
      sum += diff[i] * diff[i];
    }
    return sum / z.length;
  }

  /** Writes d loss / d logits for the last forward into {@code dLogits}. */
  public void backward(INDArray dLogits) {
    double[] g = new double[diff.length];
    for (int i = 0; i < g.length; i++) {
      g[i] = 2 * diff[i] / diff.length;
    }
    Flat.of(dLogits).put(0, g, 0, g.length);
  }
}
