package dev.jbert.finetune.calibrate;

import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.univariate.BrentOptimizer;
import org.apache.commons.math3.optim.univariate.SearchInterval;
import org.apache.commons.math3.optim.univariate.UnivariateObjectiveFunction;
import org.apache.commons.math3.optim.univariate.UnivariatePointValuePair;

/**
 * Temperature scaling (Guo et al., 2017): one temperature {@code T > 0} divides every logit, {@code
 * p = softmax(z / T)}, chosen to minimise the negative log-likelihood of held-out labels. The
 * predicted class does not change; only how sure the probabilities say the model is.
 *
 * <p>The NLL is convex in {@code 1/T} (a log-sum-exp of linear functions minus a linear one), hence
 * unimodal in {@code log T}, where commons-math's Brent optimiser searches {@code [}{@value
 * #MIN}{@code , }{@value #MAX}{@code ]}. Data the model separates perfectly (every held-out message
 * right, as on a small or easy validation split) have no minimum: the NLL keeps falling as {@code T →
 * 0}, where every probability is 1 (the optimiser stops wherever the NLL has become flat in double
 * precision); {@link #separates} tells such data, and {@link #atBound} a fit at the edge of the
 * interval: callers should use neither.
 */
public final class TemperatureScaling {

  /** Smallest temperature searched. */
  public static final double MIN = 0.01;
  /** Largest temperature searched. */
  public static final double MAX = 100;

  private TemperatureScaling() {}

  /**
   * The temperature that minimises the mean NLL of {@code gold} under {@code softmax(logits / T)}.
   *
   * @param logits {@code [n, classes]}
   * @param gold {@code [n]} true class ids
   */
  public static double fit(float[][] logits, int[] gold) {
    if (logits.length != gold.length || logits.length == 0) {
      throw new IllegalArgumentException("need one gold class per row of logits, at least one; got "
          + logits.length + " rows and " + gold.length + " classes");
    }
    BrentOptimizer brent = new BrentOptimizer(1e-10, 1e-12);
    UnivariatePointValuePair best = brent.optimize(new MaxEval(1000), GoalType.MINIMIZE,
        new UnivariateObjectiveFunction(logT -> nll(logits, gold, Math.exp(logT))),
        new SearchInterval(Math.log(MIN), Math.log(MAX), 0));
    return Math.exp(best.getPoint());
  }

  /**
   * Whether a fitted temperature lies at the edge of the searched interval: the NLL had no minimum
   * inside it, so the data do not determine a temperature.
   */
  public static boolean atBound(double temperature) {
    return temperature <= MIN * 1.001 || temperature >= MAX / 1.001;
  }

  /**
   * Whether every row's gold logit is strictly its largest: then the NLL falls monotonically as
   * {@code T → 0} and no temperature minimises it. With one message wrong, its NLL grows without
   * bound as {@code T → 0}, so a minimum exists.
   */
  public static boolean separates(float[][] logits, int[] gold) {
    for (int i = 0; i < logits.length; i++) {
      for (int c = 0; c < logits[i].length; c++) {
        if (c != gold[i] && logits[i][c] >= logits[i][gold[i]]) {
          return false;
        }
      }
    }
    return true;
  }

  /** Mean negative log-likelihood of {@code gold} under {@code softmax(logits / temperature)}. */
  public static double nll(float[][] logits, int[] gold, double temperature) {
    requireValid(temperature);
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      sum += logSumExp(logits[i], temperature) - logits[i][gold[i]] / temperature;
    }
    return sum / logits.length;
  }

  /** Top probability of each row of {@code softmax(logits / temperature)}. */
  public static double[] confidences(float[][] logits, double temperature) {
    requireValid(temperature);
    double[] out = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = topProbability(logits[i], temperature);
    }
    return out;
  }

  /** {@code log Σ exp(z_i / temperature)}, with the maximum subtracted so that large logits do not overflow. */
  public static double logSumExp(float[] z, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v / temperature);
    }
    double s = 0;
    for (float v : z) {
      s += Math.exp(v / temperature - max);
    }
    return max + Math.log(s);
  }

  /** The largest probability of {@code softmax(z / temperature)}: {@code 1 / Σ exp((z_i − max) / T)}. */
  public static double topProbability(float[] z, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v);
    }
    double s = 0;
    for (float v : z) {
      s += Math.exp((v - max) / temperature);
    }
    return 1 / s;
  }

  /** Refuses a temperature that is not a finite number &gt; 0. */
  public static void requireValid(double temperature) {
    if (!(temperature > 0 && Double.isFinite(temperature))) {
      throw new IllegalArgumentException("temperature must be a finite number > 0, got " + temperature);
    }
  }
}
