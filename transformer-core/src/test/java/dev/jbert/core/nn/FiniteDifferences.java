package dev.jbert.core.nn;

import dev.jbert.core.kernel.Flat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.param.Parameters;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite differences in double precision: (L(x + h) − L(x − h)) / 2h at a few elements of
 * a tensor, against the hand-written gradient. With h = 1e-6 the difference is accurate to about
 * 1e-9 absolute, so a check of 1e-6 relative plus 1e-8 absolute catches any wrong term.
 */
public final class FiniteDifferences {

  private static final double H = 1e-6;

  private FiniteDifferences() {}

  /**
   * Checks {@code samples} random elements of {@code x} and its largest-gradient element.
   *
   * @param analytic d loss / d x as computed by a backward pass (read before any perturbation)
   * @param loss recomputes the scalar loss from the current {@code x} (forward only)
   */
  public static void assertGradient(String what, INDArray x, INDArray analytic, DoubleSupplier loss, int samples, long seed) {
    Flat xs = Flat.of(x);
    double[] an = Flat.of(analytic).toArray();
    Random r = new Random(seed);
    int largest = 0;
    for (int i = 1; i < an.length; i++) {
      if (Math.abs(an[i]) > Math.abs(an[largest])) {
        largest = i;
      }
    }
    for (int s = 0; s <= samples; s++) {
      int i = s == samples ? largest : r.nextInt(an.length);
      double orig = xs.get(i);
      xs.set(i, orig + H);
      double up = loss.getAsDouble();
      xs.set(i, orig - H);
      double down = loss.getAsDouble();
      xs.set(i, orig);
      double fd = (up - down) / (2 * H);
      double tol = 1e-6 * Math.abs(an[i]) + 1e-8;
      assertTrue(Math.abs(fd - an[i]) <= tol,
          what + "[" + i + "]: analytic " + an[i] + " vs finite difference " + fd + " (diff " + Math.abs(fd - an[i]) + ")");
    }
  }

  /** Checks every parameter of {@code p} at a few elements each. */
  public static void assertParameterGradients(Parameters p, DoubleSupplier loss, int samples, long seed) {
    for (String name : p.names()) {
      assertGradient(name, p.value(name), p.grad(name).dup(), loss, samples, seed + name.hashCode());
    }
  }

  /**
   * A module's gradients of {@code dot(forward(x), dy)} w.r.t. x (15 random elements and the
   * largest) and its parameters ({@code parameterSamples} each), every forward under the dropout
   * masks of {@code maskSeed}.
   */
  public static void assertModuleGradients(TrainingMode mode, long maskSeed, UnaryOperator<INDArray> forward,
      UnaryOperator<INDArray> backward, INDArray x, INDArray dy, Parameters p, int parameterSamples, long seed) {
    mode.reseed(maskSeed);
    forward.apply(x);
    INDArray dx = backward.apply(dy).dup();
    DoubleSupplier loss = () -> {
      mode.reseed(maskSeed);                                   // the same dropout masks at every evaluation
      return dot(forward.apply(x), dy);
    };
    assertGradient("x", x, dx, loss, 15, seed);
    assertParameterGradients(p, loss, parameterSamples, seed + 1);
  }

  /** A DOUBLE array of N(0, scale²) values. */
  public static INDArray random(long seed, double scale, long... shape) {
    INDArray a = Nd4j.zeros(DataType.DOUBLE, shape);
    Random r = new Random(seed);
    double[] v = new double[(int) a.length()];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian() * scale;
    }
    Flat.of(a).put(0, v, 0, v.length);
    return a;
  }

  /** Fills every parameter with N(0, scale²) values, LayerNorm weights around 1. */
  public static void randomize(Parameters p, long seed, double scale) {
    Random r = new Random(seed);
    for (String name : p.names()) {
      Flat f = Flat.of(p.value(name));
      double[] v = new double[f.length()];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.nextGaussian() * scale + (name.endsWith("LayerNorm.weight") ? 1.0 : 0.0);
      }
      f.put(0, v, 0, v.length);
    }
  }

  /** Σ a ⊙ b, the projection that turns a layer output into a scalar loss with gradient b. */
  public static double dot(INDArray a, INDArray b) {
    double[] x = Flat.of(a).toArray();
    double[] y = Flat.of(b).toArray();
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += x[i] * y[i];
    }
    return s;
  }
}
