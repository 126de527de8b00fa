package dev.jbert.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row steps of the float {@link LayerNorm} with the Vector API, forward and backward: the sums in
 * vector lanes (HotSpot does not vectorise a floating-point sum: it must keep the order), folded in
 * a fixed order ({@link #sumLanes}), and fused multiply-adds; {@link PlainLayerNorm} computes the
 * same floats where this does not run. Used where the module is there and the vectors hold 16
 * floats ({@link LayerNorm} asks {@link PackedWeight#wideVectors()}), for rows a whole number of
 * vectors wide (384 and 768: MiniLM, bert-base).
 *
 * <p>Measured on 2 vCPUs of an AVX-512 EPYC (LayerNormBenchmark, inference, with and without the
 * module in the fork): [2048, 384] 352 ± 51 against 532 ± 60 µs, [2048, 768] 697 ± 36 against
 * 1,093 ± 85 µs; one sequence, [32, 384] (harness, min of 7): 6.9-7.1 against 18.5-23.3 µs (the
 * plain loops of then, with their sums in double).
 */
final class VectorLayerNorm {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = S.length();

  private VectorLayerNorm() {}

  /** Whether rows of {@code width} floats are whole vectors. */
  static boolean fits(int width) {
    return width % LANES == 0;
  }

  /**
   * {@code v[off, off + width) ← x̂ = (x − mean(x))·rstd} in place with {@code x = dropout(v + inpBias)
   * + residual} (the residual's row at the same offset; mask null: no dropout, applied from
   * {@code maskOffset}; residual null: none); returns rstd = 1/√(var + eps).
   */
  static double normalise(float[] v, int off, int width, float[] inpBias, DropoutMask mask, int maskOffset,
      float[] residual, double eps) {
    for (int j = 0; j < width; j += LANES) {
      FloatVector.fromArray(S, v, off + j).add(FloatVector.fromArray(S, inpBias, j)).intoArray(v, off + j);
    }
    if (mask != null) {
      mask.applyInPlace(maskOffset, v, off, width);
    }
    FloatVector sum = FloatVector.zero(S);
    for (int j = off; j < off + width; j += LANES) {
      FloatVector x = FloatVector.fromArray(S, v, j);
      if (residual != null) {
        x = x.add(FloatVector.fromArray(S, residual, j));
        x.intoArray(v, j);
      }
      sum = sum.add(x);
    }
    float mean = sumLanes(sum) / width;
    FloatVector squares = FloatVector.zero(S);
    for (int j = off; j < off + width; j += LANES) {
      FloatVector centred = FloatVector.fromArray(S, v, j).sub(mean);
      centred.intoArray(v, j);
      squares = centred.fma(centred, squares);
    }
    double rstd = 1.0 / Math.sqrt((double) sumLanes(squares) / width + eps);
    float rs = (float) rstd;
    for (int j = off; j < off + width; j += LANES) {
      FloatVector.fromArray(S, v, j).mul(rs).intoArray(v, j);
    }
    return rstd;
  }

  /**
   * One row of {@link LayerNorm#backward}: {@code d ← rstd·(d·γ − mean(d·γ) − x̂·mean(d·γ·x̂))} in
   * place, with {@code dGamma += d·x̂} and {@code dBeta += d} (this thread's sums, in float).
   */
  static void backward(float[] d, float[] xhat, float[] gamma, float[] dGamma, float[] dBeta, float rstd, int width) {
    FloatVector sumG = FloatVector.zero(S);
    FloatVector sumGn = FloatVector.zero(S);
    for (int j = 0; j < width; j += LANES) {
      FloatVector dy = FloatVector.fromArray(S, d, j);
      FloatVector n = FloatVector.fromArray(S, xhat, j);
      dy.fma(n, FloatVector.fromArray(S, dGamma, j)).intoArray(dGamma, j);
      dy.add(FloatVector.fromArray(S, dBeta, j)).intoArray(dBeta, j);
      FloatVector gd = dy.mul(FloatVector.fromArray(S, gamma, j));
      gd.intoArray(d, j);
      sumG = sumG.add(gd);
      sumGn = gd.fma(n, sumGn);
    }
    float meanG = sumLanes(sumG) / width;
    float meanGn = sumLanes(sumGn) / width;
    for (int j = 0; j < width; j += LANES) {
      FloatVector gd = FloatVector.fromArray(S, d, j);
      FloatVector n = FloatVector.fromArray(S, xhat, j);
      gd.sub(meanG).sub(n.mul(meanGn)).mul(rstd).intoArray(d, j);
    }
  }

  /** Folds that pair lane i with lane i + half, half = LANES/2, …, 1. */
  @SuppressWarnings("unchecked")
  private static final VectorShuffle<Float>[] FOLDS = new VectorShuffle[Integer.numberOfTrailingZeros(LANES)];

  static {
    for (int f = 0, half = LANES / 2; half >= 1; f++, half /= 2) {
      int h = half;
      FOLDS[f] = VectorShuffle.fromOp(S, i -> (i + h) % LANES);
    }
  }

  /**
   * The sum of v's lanes by a fixed tree of pairs, so that the floats are the same compiled or
   * interpreted and on any JDK ({@code reduceLanes(ADD)} leaves the order of a float sum open): a
   * training run resumed in a fresh JVM must repeat the uninterrupted run's rounding.
   */
  static float sumLanes(FloatVector v) {
    for (VectorShuffle<Float> fold : FOLDS) {
      v = v.add(v.rearrange(fold));
    }
    return v.lane(0);
  }

  /** {@code v[off, off + width) ← γ·v + β} in place. */
  static void affine(float[] v, int off, int width, float[] gamma, float[] beta) {
    for (int j = 0; j < width; j += LANES) {
      FloatVector.fromArray(S, v, off + j).fma(FloatVector.fromArray(S, gamma, j), FloatVector.fromArray(S, beta, j))
          .intoArray(v, off + j);
    }
  }
}
