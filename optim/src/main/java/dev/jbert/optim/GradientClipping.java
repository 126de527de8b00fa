package dev.jbert.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Global-norm gradient clipping exactly as {@code torch.nn.utils.clip_grad_norm_} (L2 norm):
 * {@code norm = sqrt(sum g^2)}, {@code coef = min(1, maxNorm / (norm + 1e-6))}, {@code g *= coef}.
 * A non-finite norm is not an error here (torch's default); it makes every gradient NaN.
 */
public final class GradientClipping {

  /** torch adds this to the norm before dividing. */
  public static final double NORM_EPS = 1e-6;

  private GradientClipping() {}

  /** The L2 norm of every element of the flat vector {@code grads} (accumulated in double, no copy). */
  public static double globalNorm(INDArray grads) {
    return Math.sqrt(new SquaredSum(grads).compute());
  }

  /** {@code min(1, maxNorm / (norm + 1e-6))}; 1 when {@code maxNorm} is {@code +Infinity}. */
  public static double coefficient(double norm, double maxNorm) {
    if (maxNorm == Double.POSITIVE_INFINITY) {
      return 1.0;
    }
    return Math.min(1.0, maxNorm / (norm + NORM_EPS));
  }

  /**
   * Clips {@code grads} in place and returns the norm before clipping, as torch does.
   *
   * @param grads every gradient that takes part (frozen ones left out or zeroed)
   */
  public static double clip(INDArray grads, double maxNorm) {
    double norm = globalNorm(grads);
    scale(grads, coefficient(norm, maxNorm));
    return norm;
  }

  /** Multiplies by {@code coef}; skipped when it is exactly 1, which leaves every bit unchanged anyway. */
  static void scale(INDArray grads, double coef) {
    if (coef != 1.0) {
      grads.muli(coef);
    }
  }
}
