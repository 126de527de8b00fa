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

  /** An AdamW over {@code params} with {@code config}'s settings and groups. */
  public AdamW(Parameters params, OptimizerConfig config) {
    super(params, config, ParamGroups::scaledWeightDecayVector); // decay = k * wd per element
  }

  @Override
  public String kind() {
    return "AdamW";
  }

  @Override
  void update(Block b, double lr, long t) {
    double b1 = config.beta1();
    double b2 = config.beta2();
    INDArray p = b.values();
    INDArray g = b.grads();
    INDArray s = b.scratch();

    // p *= 1 - lr * k * wd  (exactly 1 where k * wd is 0, so frozen and exempt tensors keep every
    // bit; the form p -= lr * k * wd * p would turn -0.0 into +0.0 there)
    if (b.decay() != null) {
      b.decay().mul(-lr, s).addi(1.0);
      p.muli(s);
    }

    // m = b1 m + (1 - b1) g
    axpy(1 - b1, g, b.expAvg().muli(b1));
    // v = b2 v + (1 - b2) g^2
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
