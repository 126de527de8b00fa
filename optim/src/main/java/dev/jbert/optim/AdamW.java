package dev.jbert.optim;

import dev.jbert.core.param.Parameters;

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
    super(params, config, g -> g.lrMultiplier() * g.weightDecay()); // decay = k * wd
  }

  @Override
  public String kind() {
    return "AdamW";
  }

  @Override
  boolean decoupledDecay() {
    return true;
  }
}
