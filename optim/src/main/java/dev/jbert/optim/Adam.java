package dev.jbert.optim;

import dev.jbert.core.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam as {@code torch.optim.Adam} (torch 1.13, single-tensor path, amsgrad off) computes it, with
 * the coupled L2 weight decay of that class: the decay term joins the gradient (after clipping)
 * and goes through the moments. Element-wise over the trainable span, with per-element
 * learning-rate multiplier {@code k} and weight decay {@code wd}:
 *
 * <pre>
 * g' = g + wd * p
 * m  = b1 m + (1 - b1) g'
 * v  = b2 v + (1 - b2) g'^2
 * p -= (lr * k / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 *
 * {@link dev.jbert.core.Parameters#grads()} keeps the clipped gradient; {@code g'} is formed in
 * scratch memory.
 */
public final class Adam extends AdamBase {

  /** An Adam over {@code params} with {@code config}'s settings and groups. */
  public Adam(Parameters params, OptimizerConfig config) {
    super(params, config, ParamGroups::weightDecayVector); // decay = wd per element
  }

  @Override
  public String kind() {
    return "Adam";
  }

  @Override
  void update(Block b, double lr, long t) {
    double b1 = config.beta1();
    double b2 = config.beta2();
    INDArray p = b.values();
    INDArray s = b.scratch();

    // g' = g + wd * p  (in s; without decay g' is g itself)
    INDArray g = b.grads();
    if (b.decay() != null) {
      g = b.decay().mul(p, s).addi(g);
    }

    // m = b1 m + (1 - b1) g'
    axpy(1 - b1, g, b.expAvg().muli(b1));
    // v = b2 v + (1 - b2) g'^2  (g' is not needed afterwards, so s may take g'^2)
    axpy(1 - b2, g.mul(g, s), b.expAvgSq().muli(b2));

    // s = m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    Nd4j.getExecutioner().exec(new Sqrt(b.expAvgSq(), s));
    s.divi(Math.sqrt(biasCorrection(b2, t))).addi(config.eps());
    b.expAvg().div(s, s);

    // p -= (lr * k / (1 - b1^t)) * s
    if (b.lrMultipliers() != null) {
      s.muli(b.lrMultipliers());
    }
    axpy(-lr / biasCorrection(b1, t), s, p);
  }
}
