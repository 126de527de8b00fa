package dev.jbert.core.kernel;

import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.XOR;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DropoutMask#applyInPlace(int, float[], int, int)} with the Vector API: the same hash of each
 * element's index, the same test and the same multiply, so the same floats, computed 16 lanes at a
 * time in one pass. HotSpot vectorises the plain hash loop, but not the select that follows it (an
 * int compare choosing between floats), so the plain form hashes a chunk into an int array and then
 * walks it again element by element.
 */
final class VectorDropout {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  private static final int LANES = S.length();
  /** 0, 1, 2, …: the lanes' offsets from a vector's first index. */
  private static final IntVector IOTA = IntVector.zero(I).addIndex(1);

  private VectorDropout() {}

  /** Whether the float and int vectors have as many lanes, as this kernel needs. */
  static boolean fits() {
    return I.length() == LANES;
  }

  /**
   * {@code row[off + i] ← dropped(from + i) ? 0 : row[off + i]·scale} for i in [0, len), dropped
   * when the 31-bit hash of the index is below {@code threshold} ({@link DropoutMask}).
   */
  static void apply(int seedLo, int seedHi, int threshold, float scale, int from, float[] row, int off, int len) {
    int whole = len / LANES * LANES;
    FloatVector zero = FloatVector.zero(S);
    for (int i = 0; i < whole; i += LANES) {
      // DropoutMask.hash written out: a helper taking and returning vectors, when HotSpot does not
      // inline it, boxes them and runs the lanes one by one.
      IntVector h = IOTA.add(from + i).mul(0x9E3779B9).lanewise(XOR, seedLo);
      h = h.lanewise(XOR, h.lanewise(LSHR, 16)).mul(0x85EBCA6B);
      h = h.lanewise(XOR, h.lanewise(LSHR, 13)).mul(0xC2B2AE35);
      h = h.lanewise(XOR, h.lanewise(LSHR, 16)).add(seedHi);
      h = h.lanewise(XOR, h.lanewise(LSHR, 16)).mul(0x85EBCA6B);
      h = h.lanewise(XOR, h.lanewise(LSHR, 13)).mul(0xC2B2AE35);
      h = h.lanewise(XOR, h.lanewise(LSHR, 16));
      VectorMask<Float> dropped = h.lanewise(LSHR, 1).compare(LT, threshold).cast(S);
      FloatVector.fromArray(S, row, off + i).mul(scale).blend(zero, dropped).intoArray(row, off + i);
    }
    for (int i = whole; i < len; i++) {
      row[off + i] = (DropoutMask.hash(from + i, seedLo, seedHi) >>> 1) < threshold ? 0f : row[off + i] * scale;
    }
  }
}
