package dev.jbert.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float {@link Gelu#inference} of one row with the Vector API: {@code 0.5 x (1 + erf(x/√2))} with
 * {@link Functions#erfApprox(float)}'s rational approximation, evaluated with fused multiply-adds.
 * HotSpot vectorises the plain loop of {@link Gelu#forward} too; what this adds is the fused
 * multiply-adds and a cheaper clamp of the argument to [-4, 4]: one integer minimum on the bits of
 * its magnitude, where the vectorised {@code Math.max} and {@code Math.min} follow Java's rules for
 * NaN and −0 with a blend sequence each (erf alone over a row in L1: 0.41 ns per element in the
 * plain loop, 0.24-0.32 ns here; 2 vCPUs of an AVX-512 EPYC). The results differ from the plain
 * loop's by float rounding.
 */
final class VectorGelu {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = S.length();
  private static final float INV_SQRT2 = 0.70710678f;
  private static final int SIGN = 0x80000000;
  private static final int MAGNITUDE = 0x7fffffff;
  private static final int FOUR = Float.floatToRawIntBits(4f);

  private VectorGelu() {}

  /** {@code v ← gelu(v + bias)} in place; bias as long as v. */
  static void forward(float[] v, float[] bias) {
    int whole = v.length / LANES * LANES;
    for (int j = 0; j < whole; j += LANES) {
      FloatVector x = FloatVector.fromArray(S, v, j).add(FloatVector.fromArray(S, bias, j));
      IntVector bits = (IntVector) x.mul(INV_SQRT2).reinterpretAsInts();
      FloatVector c = bits.and(MAGNITUDE).min(FOUR).or(bits.and(SIGN)).reinterpretAsFloats();  // x/√2 in [-4, 4]
      FloatVector c2 = c.mul(c);
      FloatVector p = c2.fma(Functions.ERF_P0, Functions.ERF_P1);
      p = c2.fma(p, FloatVector.broadcast(S, Functions.ERF_P2));
      p = c2.fma(p, FloatVector.broadcast(S, Functions.ERF_P3));
      p = c2.fma(p, FloatVector.broadcast(S, Functions.ERF_P4));
      p = c2.fma(p, FloatVector.broadcast(S, Functions.ERF_P5));
      p = c2.fma(p, FloatVector.broadcast(S, Functions.ERF_P6));
      FloatVector q = c2.fma(Functions.ERF_Q0, Functions.ERF_Q1);
      q = c2.fma(q, FloatVector.broadcast(S, Functions.ERF_Q2));
      q = c2.fma(q, FloatVector.broadcast(S, Functions.ERF_Q3));
      q = c2.fma(q, FloatVector.broadcast(S, Functions.ERF_Q4));
      FloatVector erf = c.mul(p).div(q);
      FloatVector half = x.mul(0.5f);
      half.fma(erf, half).intoArray(v, j);                                  // ½x + ½x·erf(x/√2)
    }
    for (int j = whole; j < v.length; j++) {                                // the tail as the plain loop
      float x = v[j] + bias[j];
      v[j] = 0.5f * x * (1f + Functions.erfApprox(x * INV_SQRT2));
    }
  }
}
