package dev.jbert.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float {@link LayerNorm#forward} of one row with the Vector API: the same steps as the plain
 * loops there, but the mean and the variance summed in vector lanes (HotSpot does not vectorise a
 * floating-point sum: it must keep the order). Used by the forwards that save nothing for a
 * backward (inference), where the module is there and the vectors hold 16 floats ({@link
 * LayerNorm#forward} asks {@link PackedWeight#wideVectors()}), for rows a whole number of vectors
 * wide (384 and 768: MiniLM, bert-base). Training keeps the plain loops, whose rounding its results
 * were measured with.
 *
 * <p>Measured on 2 vCPUs of an AVX-512 EPYC (LayerNormBenchmark, inference, with and without the
 * module in the fork): [2048, 384] 352 ± 51 against 532 ± 60 µs, [2048, 768] 697 ± 36 against
 * 1,093 ± 85 µs; one sequence, [32, 384] (harness, min of 7): 6.9-7.1 against 18.5-23.3 µs. The
 * results differ from the plain loops' by float rounding (sums in 16 lanes instead of four double
 * accumulators): at most 1e-6 on unit-scale outputs.
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
    float mean = sum.reduceLanes(VectorOperators.ADD) / width;
    FloatVector squares = FloatVector.zero(S);
    for (int j = off; j < off + width; j += LANES) {
      FloatVector centred = FloatVector.fromArray(S, v, j).sub(mean);
      centred.intoArray(v, j);
      squares = centred.fma(centred, squares);
    }
    double rstd = 1.0 / Math.sqrt((double) squares.reduceLanes(VectorOperators.ADD) / width + eps);
    float rs = (float) rstd;
    for (int j = off; j < off + width; j += LANES) {
      FloatVector.fromArray(S, v, j).mul(rs).intoArray(v, j);
    }
    return rstd;
  }

  /** {@code v[off, off + width) ← γ·v + β} in place. */
  static void affine(float[] v, int off, int width, float[] gamma, float[] beta) {
    for (int j = 0; j < width; j += LANES) {
      FloatVector.fromArray(S, v, off + j).fma(FloatVector.fromArray(S, gamma, j), FloatVector.fromArray(S, beta, j))
          .intoArray(v, off + j);
    }
  }
}
