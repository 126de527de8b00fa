package dev.jbert.optim;

import dev.jbert.core.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.factory.Nd4j;

/**
 * AdamW as {@code torch.optim.AdamW} (torch 1.13, single-tensor path, amsgrad off) computes it,
 * element-wise over the trainable span, with per-element learning-rate multiplier {@code k} and
 * weight decay {@code wd}:
 *
 * <pre>
 * p *= 1 - lr * k * wd                       # decoupled decay, before the update, also where g == 0
 * m  = b1 m + (1 - b1) g
 * v  = b2 v + (1 - b2) g^2
 * p -= (lr * k / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 *
 * Note where eps goes: torch adds it to {@code sqrt(v_hat)}; the old {@code transformers.AdamW}
 * added it to {@code sqrt(v)} and differs measurably.
 */
public final class AdamW extends AdamBase {

  /** {@code k * wd} per element, {@code [span]}; null when nothing is decayed. */
  private final INDArray scaledDecay;

  /** An AdamW over {@code params} with {@code config}'s settings and groups. */
  public AdamW(Parameters params, OptimizerConfig config) {
    super(params, config);
    this.scaledDecay = groups.hasWeightDecay() ? groups.scaledWeightDecayVector(params.dataType()) : null;
  }

  @Override
  public String kind() {
    return "AdamW";
  }

  @Override
  protected void update(double lr, long t) {
    double b1 = config.beta1();
    double b2 = config.beta2();
    INDArray s = scratch;

    // p *= 1 - lr * k * wd  (exactly 1 where wd or k is 0, so frozen and exempt tensors are untouched)
    if (scaledDecay != null) {
      scaledDecay.mul(-lr, s).addi(1.0);
      values.muli(s);
    }

    // m = b1 m + (1 - b1) g
    axpy(1 - b1, grads, expAvg.muli(b1));
    // v = b2 v + (1 - b2) g^2
    axpy(1 - b2, grads.mul(grads, s), expAvgSq.muli(b2));

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
