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
 * {@link dev.jbert.core.Parameters#grads()} keeps the clipped gradient; {@code g'} lives in a
 * second scratch buffer.
 */
public final class Adam extends AdamBase {

  /** {@code wd} per element, {@code [span]}; null when nothing is decayed. */
  private final INDArray decay;
  /** Holds {@code g'}, {@code [span]}; null when nothing is decayed. */
  private final INDArray decayedGrad;

  /** An Adam over {@code params} with {@code config}'s settings and groups. */
  public Adam(Parameters params, OptimizerConfig config) {
    super(params, config);
    boolean decays = groups.hasWeightDecay();
    this.decay = decays ? groups.weightDecayVector(params.dataType()) : null;
    this.decayedGrad = decays ? Nd4j.zeros(params.dataType(), groups.span().length()) : null;
  }

  @Override
  public String kind() {
    return "Adam";
  }

  @Override
  protected void update(double lr, long t) {
    double b1 = config.beta1();
    double b2 = config.beta2();
    INDArray s = scratch;

    // g' = g + wd * p
    INDArray g = grads;
    if (decay != null) {
      g = decay.mul(values, decayedGrad).addi(grads);
    }

    // m = b1 m + (1 - b1) g'
    axpy(1 - b1, g, expAvg.muli(b1));
    // v = b2 v + (1 - b2) g'^2
    axpy(1 - b2, g.mul(g, s), expAvgSq.muli(b2));

    // s = m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    Nd4j.getExecutioner().exec(new Sqrt(expAvgSq, s));
    s.divi(Math.sqrt(biasCorrection(b2, t))).addi(config.eps());
    expAvg.div(s, s);

    // p -= (lr * k / (1 - b1^t)) * s
    if (lrMultipliers != null) {
      s.muli(lrMultipliers);
    }
    axpy(-lr / biasCorrection(b1, t), s, values);
  }
}
