package dev.jbert.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link Functions}' float approximations on each lane of a vector: the same operations in the same order. */
final class VectorFunctions {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  private VectorFunctions() {}

  /** {@link Functions#expApprox(float)} on each lane (x ≤ 0): the same polynomial and squarings. */
  static FloatVector exp(FloatVector x) {
    FloatVector c = x.max(-120f).mul(1f / 64);
    FloatVector p = FloatVector.broadcast(S, 1f / 40320);
    p = p.mul(c).add(1f / 5040);
    p = p.mul(c).add(1f / 720);
    p = p.mul(c).add(1f / 120);
    p = p.mul(c).add(1f / 24);
    p = p.mul(c).add(1f / 6);
    p = p.mul(c).add(0.5f);
    p = p.mul(c).add(1f);
    p = p.mul(c).add(1f);
    for (int i = 0; i < 6; i++) {
      p = p.mul(p);
    }
    return p;
  }
}
