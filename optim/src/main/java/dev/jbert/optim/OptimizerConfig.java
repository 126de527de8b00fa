package dev.jbert.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Hyperparameters of {@link AdamW} and {@link Adam}, plus how parameters are grouped by name.
 *
 * <p>Defaults follow Hugging Face {@code TrainingArguments}: lr 5e-5, betas (0.9, 0.999), eps 1e-8,
 * weight decay 0, gradient clipping at norm 1.0, constant schedule, nothing frozen, names containing
 * {@code bias} or {@code LayerNorm} exempt from weight decay, no layer-wise decay.
 *
 * @param lr base learning rate (before schedule and layer-wise multipliers)
 * @param beta1 decay of the first moment
 * @param beta2 decay of the second moment
 * @param eps added to {@code sqrt(v_hat)} in the denominator, as PyTorch does
 * @param weightDecay decay coefficient of the tensors not matched by {@code noDecay}
 * @param maxGradNorm global-norm clipping threshold; {@code +Infinity} turns clipping off
 * @param schedule learning-rate multiplier over steps
 * @param freeze tensors that are not trained at all
 * @param noDecay tensors exempt from weight decay
 * @param layerwiseLrDecay per-layer learning-rate factor (see {@link LayerwiseLrDecay}); 1 = off
 */
public record OptimizerConfig(
    double lr,
    double beta1,
    double beta2,
    double eps,
    double weightDecay,
    double maxGradNorm,
    LrSchedule schedule,
    NameFilter freeze,
    NameFilter noDecay,
    double layerwiseLrDecay) {

  /** Checks every range, naming the setting that is out of it. */
  public OptimizerConfig {
    requireRange("lr", lr, lr >= 0 && Double.isFinite(lr), ">= 0");
    requireRange("beta1", beta1, beta1 >= 0 && beta1 < 1, "in [0, 1)");
    requireRange("beta2", beta2, beta2 >= 0 && beta2 < 1, "in [0, 1)");
    requireRange("eps", eps, eps >= 0 && Double.isFinite(eps), ">= 0");
    requireRange("weight decay", weightDecay, weightDecay >= 0 && Double.isFinite(weightDecay), ">= 0");
    requireRange("max grad norm", maxGradNorm, maxGradNorm > 0, "> 0 (+Infinity turns clipping off)");
    requireRange("layer-wise lr decay", layerwiseLrDecay, layerwiseLrDecay > 0 && layerwiseLrDecay <= 1, "in (0, 1]");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(freeze, "freeze");
    Objects.requireNonNull(noDecay, "noDecay");
  }

  private static void requireRange(String what, double value, boolean ok, String range) {
    if (!ok) {
      throw new IllegalArgumentException(what + " must be " + range + ", got " + value);
    }
  }

  /** Starts from the defaults above. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Every setting as text, in a fixed order: what {@link OptimizerStateFile} saves and compares on
   * restore. Doubles are written with {@link Double#toString}, which round-trips exactly.
   */
  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("lr", Double.toString(lr));
    m.put("beta1", Double.toString(beta1));
    m.put("beta2", Double.toString(beta2));
    m.put("eps", Double.toString(eps));
    m.put("weight_decay", Double.toString(weightDecay));
    m.put("max_grad_norm", Double.toString(maxGradNorm));
    m.put("schedule", schedule.describe());
    m.put("freeze", freeze.toString());
    m.put("no_decay", noDecay.toString());
    m.put("layerwise_lr_decay", Double.toString(layerwiseLrDecay));
    return m;
  }

  /** Fluent construction; every setter validates on {@link #build()}. */
  public static final class Builder {
    private double lr = 5e-5;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double weightDecay = 0.0;
    private double maxGradNorm = 1.0;
    private LrSchedule schedule = LrSchedule.constant();
    private NameFilter freeze = NameFilter.none();
    private NameFilter noDecay = NameFilter.hfNoDecay();
    private double layerwiseLrDecay = 1.0;

    private Builder() {}

    /** Base learning rate. */
    public Builder lr(double lr) {
      this.lr = lr;
      return this;
    }

    /** Moment decays. */
    public Builder betas(double beta1, double beta2) {
      this.beta1 = beta1;
      this.beta2 = beta2;
      return this;
    }

    /** Denominator epsilon. */
    public Builder eps(double eps) {
      this.eps = eps;
      return this;
    }

    /** Weight decay of the tensors not exempted by {@link #noDecay}. */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** Global-norm clipping threshold. */
    public Builder maxGradNorm(double maxGradNorm) {
      this.maxGradNorm = maxGradNorm;
      return this;
    }

    /** Turns gradient clipping off (the norm is still computed and reported). */
    public Builder noClipping() {
      this.maxGradNorm = Double.POSITIVE_INFINITY;
      return this;
    }

    /** Learning-rate schedule. */
    public Builder schedule(LrSchedule schedule) {
      this.schedule = schedule;
      return this;
    }

    /** Tensors to freeze. */
    public Builder freeze(NameFilter freeze) {
      this.freeze = freeze;
      return this;
    }

    /** Tensors exempt from weight decay (default: {@link NameFilter#hfNoDecay()}). */
    public Builder noDecay(NameFilter noDecay) {
      this.noDecay = noDecay;
      return this;
    }

    /** Layer-wise learning-rate decay factor; 1 turns it off. */
    public Builder layerwiseLrDecay(double decay) {
      this.layerwiseLrDecay = decay;
      return this;
    }

    /** Validates and returns the configuration. */
    public OptimizerConfig build() {
      return new OptimizerConfig(lr, beta1, beta2, eps, weightDecay, maxGradNorm, schedule, freeze, noDecay, layerwiseLrDecay);
    }
  }
}
