package dev.jbert.optim;

import dev.jbert.core.param.Parameters;

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
 * {@link dev.jbert.core.param.Parameters#grads()} keeps the clipped gradient; {@code g'} is formed in
 * per-thread tile memory.
 */
public final class Adam extends AdamBase {

  /** An Adam over {@code params} with {@code config}'s settings and groups. */
  public Adam(Parameters params, OptimizerConfig config) {
    super(params, config, ParamGroups.TensorGroup::weightDecay); // decay = wd
  }

  @Override
  public String kind() {
    return "Adam";
  }

  @Override
  boolean decoupledDecay() {
    return false;
  }
}
