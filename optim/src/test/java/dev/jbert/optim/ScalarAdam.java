package dev.jbert.optim;

import java.util.function.LongToDoubleFunction;

/**
 * The AdamW/Adam pseudo-code of {@code tiny-random-bert/SOURCE.md}, element by element over
 * {@code double[]}: the independent reference the ND4J optimizers are compared with. Shares no code
 * with them (its own clipping, schedule lambda and per-element settings).
 */
final class ScalarAdam {

  /** AdamW's decoupled decay or Adam's coupled L2. */
  enum Decay { DECOUPLED, L2 }

  /** What one step did. */
  record Result(double lr, double norm, double coef) {}

  final double[] p;
  final double[] m;
  final double[] v;
  private final boolean[] trainable;
  private final double[] wd;
  private final double[] lrMul;
  private final Decay decay;
  private final double lr;
  private final double b1;
  private final double b2;
  private final double eps;
  private final double maxNorm;
  private final LongToDoubleFunction factor;
  long t;

  ScalarAdam(double[] p, boolean[] trainable, double[] wd, double[] lrMul, Decay decay,
      double lr, double b1, double b2, double eps, double maxNorm, LongToDoubleFunction factor) {
    this.p = p.clone();
    this.m = new double[p.length];
    this.v = new double[p.length];
    this.trainable = trainable;
    this.wd = wd;
    this.lrMul = lrMul;
    this.decay = decay;
    this.lr = lr;
    this.b1 = b1;
    this.b2 = b2;
    this.eps = eps;
    this.maxNorm = maxNorm;
    this.factor = factor;
  }

  /** One step on the raw gradient {@code grad} (not modified). */
  Result step(double[] grad) {
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      if (trainable[i]) {
        sum += grad[i] * grad[i];
      }
    }
    double norm = Math.sqrt(sum);
    double coef = maxNorm == Double.POSITIVE_INFINITY ? 1.0 : Math.min(1.0, maxNorm / (norm + 1e-6));
    double lrT = lr * factor.applyAsDouble(t);
    t++;
    double bc1 = 1 - Math.pow(b1, t);
    double bc2 = 1 - Math.pow(b2, t);
    for (int i = 0; i < p.length; i++) {
      if (!trainable[i]) {
        continue;
      }
      double g = grad[i] * coef;
      double lrI = lrT * lrMul[i];
      if (decay == Decay.DECOUPLED) {
        p[i] *= 1 - lrI * wd[i];
      } else {
        g += wd[i] * p[i];
      }
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      p[i] -= (lrI / bc1) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
    }
    return new Result(lrT, norm, coef);
  }
}
