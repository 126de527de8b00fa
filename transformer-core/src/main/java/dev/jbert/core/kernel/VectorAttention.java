package dev.jbert.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner kernel of {@link FusedAttention}: one head of one sequence at a time, over Java arrays
 * with the Vector API, the queries along the vector lanes. Per block of two vectors of queries the
 * scores are held transposed, {@code Pᵀ [seq keys, block]}, so that the softmax over the keys (a
 * maximum, exponentials, a sum) is lane-wise arithmetic down the rows, with no horizontal reductions
 * and no per-row scalars; K and V are read as stored (one key's or head value's element broadcast
 * against a vector of queries), and only Q is transposed, by gathers. The context is computed by
 * rows (a query's probability broadcast against vectors of V's head values), so each query's
 * context row is written as it is; computed with the queries on the lanes and gathered back into
 * rows it took 12% longer at 32×64 (2.67 against 2.36 ms a call, 16×128 3.06 against 2.96 ms, 1×32
 * 26 against 23 µs; AttnAB harness, the two alternated, medians of 30 rounds; the same floats to
 * the bit: each element is the same chain of fused multiply-adds over the keys).
 *
 * <p>The kernel before it held query rows by vectors of keys: K transposed, two horizontal
 * reductions and a scalar division per query row. Against it, MiniLM's 12 heads of 32 (a harness
 * alternating the two, 2 vCPUs of an AVX-512 EPYC): 32 sequences of 64 tokens 3.3 → 1.8 ms a call,
 * 16 of 128 5.3 → 2.7-3.1 ms, one of 32 59 → 25-41 µs; in a MiniLM forward (the two alternated in
 * one JVM, median of 30 blocks each) 32×64 158.9 → 156.3 and 171.3 → 167.3 ms, 16×128 174.5 →
 * 169.8 ms, 1×32 4.74 → 4.70 ms, where the forward without attention took 144.0 ms at 32×64.
 * Loaded only where the module is there and the vectors hold 16 floats ({@link
 * FusedAttention#supports}).
 */
final class VectorAttention {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = S.length();
  /** Queries per block: two vectors. */
  static final int BLOCK = 2 * LANES;
  /** Keys per tile of the scores: four keys by two vectors of queries are eight accumulators. */
  private static final int KEYS = 4;
  /** Queries per tile of the context: four queries by two vectors of head values are eight accumulators. */
  private static final int QUERIES = 4;

  private VectorAttention() {}

  /** Whether heads of {@code headDim} values fill whole pairs of vectors. */
  static boolean supports(int headDim) {
    return headDim % (2 * LANES) == 0;
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** The calling thread's scratch. */
  static Scratch scratch() {
    return SCRATCH.get();
  }

  /**
   * A thread's arrays: one sequence's projection rows and context rows ({@code qkv [seq, 3·hidden]},
   * {@code out [seq, hidden]}) and key mask, and per head K, V [seq, d] with their bias, and per block
   * Qᵀ [d, BLOCK], Pᵀ [seq, BLOCK] and 1/Σ [BLOCK].
   */
  static final class Scratch {
    float[] qkv = new float[0];
    float[] out = new float[0];
    float[] mask = new float[0];
    float[] k = new float[0];
    float[] v = new float[0];
    float[] qt = new float[0];
    float[] pt = new float[0];
    final float[] norm = new float[BLOCK];
    /** Offsets of LANES consecutive queries' rows in qkv (i·width), for the gather that transposes Q. */
    final int[] queryRows = new int[LANES];
    private int width;

    void fit(int seq, int heads, int d) {
      int hidden = heads * d;
      if (width != 3 * hidden) {
        width = 3 * hidden;
        for (int i = 0; i < LANES; i++) {
          queryRows[i] = i * width;
        }
      }
      if (qkv.length < seq * width) {
        qkv = new float[seq * width];
        out = new float[seq * hidden];
      }
      if (mask.length < seq) {
        mask = new float[seq];
        pt = new float[seq * BLOCK];
      }
      if (k.length < seq * d) {
        k = new float[seq * d];
        v = new float[seq * d];
      }
      if (qt.length < d * BLOCK) {
        qt = new float[d * BLOCK];
      }
    }
  }

  /**
   * Head {@code h} of the sequence in {@code s.qkv} ([seq, 3·hidden], without its bias) into {@code
   * s.out[:, h·d, (h+1)·d)}: {@code out[i] = Σ_j P[i, j] V[j]} with {@code P[i] = softmax_j(Q[i]·K[j]·scale
   * + s.mask[j])}. Needs {@link Scratch#fit}.
   */
  static void head(float[] bias, int h, int seq, int heads, int d, float scale, Scratch s) {
    int hidden = heads * d;
    keysAndValues(s.qkv, bias, hidden + h * d, 2 * hidden + h * d, 3 * hidden, seq, d, s.k, s.v);
    for (int i0 = 0; i0 < seq; i0 += BLOCK) {
      int queries = Math.min(BLOCK, seq - i0);
      queriesTransposed(s.qkv, bias, h * d, 3 * hidden, i0, queries, d, scale, s.queryRows, s.qt);
      scores(s.qt, s.k, s.mask, s.pt, seq, d);
      softmax(s.pt, s.norm, seq);
      context(s.pt, s.v, s.norm, s.out, i0 * hidden + h * d, hidden, queries, seq, d);
    }
  }

  /** K and V [seq, d] of one head, bias added: whole vectors of each row as stored. */
  private static void keysAndValues(float[] qkv, float[] bias, int kCol, int vCol, int width, int seq, int d,
      float[] k, float[] v) {
    for (int j = 0; j < seq; j++) {
      for (int e = 0; e < d; e += LANES) {
        FloatVector.fromArray(S, qkv, j * width + kCol + e).add(FloatVector.fromArray(S, bias, kCol + e))
            .intoArray(k, j * d + e);
        FloatVector.fromArray(S, qkv, j * width + vCol + e).add(FloatVector.fromArray(S, bias, vCol + e))
            .intoArray(v, j * d + e);
      }
    }
  }

  /**
   * Qᵀ [d, BLOCK] of queries [i0, i0 + queries), bias added, times the scale; lanes past the last
   * query are zero. Whole vectors of queries by gathers (one element of LANES rows), the rest one by one.
   */
  private static void queriesTransposed(float[] qkv, float[] bias, int qCol, int width, int i0, int queries, int d,
      float scale, int[] queryRows, float[] qt) {
    int whole = queries / LANES * LANES;
    for (int c = 0; c < whole; c += LANES) {
      int base = (i0 + c) * width + qCol;
      for (int e = 0; e < d; e++) {
        FloatVector.fromArray(S, qkv, base + e, queryRows, 0).add(bias[qCol + e]).mul(scale)
            .intoArray(qt, e * BLOCK + c);
      }
    }
    for (int e = 0; e < d; e++) {
      for (int c = whole; c < BLOCK; c++) {
        qt[e * BLOCK + c] = c < queries ? (qkv[(i0 + c) * width + qCol + e] + bias[qCol + e]) * scale : 0f;
      }
    }
  }

  /** {@code pt[j, c] = mask[j] + Σ_e K[j, e]·Qᵀ[e, c]}: KEYS keys by the two query vectors at a time. */
  private static void scores(float[] qt, float[] k, float[] mask, float[] pt, int seq, int d) {
    int j = 0;
    for (; j + KEYS <= seq; j += KEYS) {
      FloatVector s00 = FloatVector.broadcast(S, mask[j]), s01 = s00;
      FloatVector s10 = FloatVector.broadcast(S, mask[j + 1]), s11 = s10;
      FloatVector s20 = FloatVector.broadcast(S, mask[j + 2]), s21 = s20;
      FloatVector s30 = FloatVector.broadcast(S, mask[j + 3]), s31 = s30;
      for (int e = 0; e < d; e++) {
        FloatVector q0 = FloatVector.fromArray(S, qt, e * BLOCK);
        FloatVector q1 = FloatVector.fromArray(S, qt, e * BLOCK + LANES);
        FloatVector k0 = FloatVector.broadcast(S, k[j * d + e]);
        FloatVector k1 = FloatVector.broadcast(S, k[(j + 1) * d + e]);
        FloatVector k2 = FloatVector.broadcast(S, k[(j + 2) * d + e]);
        FloatVector k3 = FloatVector.broadcast(S, k[(j + 3) * d + e]);
        s00 = q0.fma(k0, s00);
        s01 = q1.fma(k0, s01);
        s10 = q0.fma(k1, s10);
        s11 = q1.fma(k1, s11);
        s20 = q0.fma(k2, s20);
        s21 = q1.fma(k2, s21);
        s30 = q0.fma(k3, s30);
        s31 = q1.fma(k3, s31);
      }
      s00.intoArray(pt, j * BLOCK);
      s01.intoArray(pt, j * BLOCK + LANES);
      s10.intoArray(pt, (j + 1) * BLOCK);
      s11.intoArray(pt, (j + 1) * BLOCK + LANES);
      s20.intoArray(pt, (j + 2) * BLOCK);
      s21.intoArray(pt, (j + 2) * BLOCK + LANES);
      s30.intoArray(pt, (j + 3) * BLOCK);
      s31.intoArray(pt, (j + 3) * BLOCK + LANES);
    }
    for (; j < seq; j++) {                                          // the last keys one at a time
      FloatVector s0 = FloatVector.broadcast(S, mask[j]), s1 = s0;
      for (int e = 0; e < d; e++) {
        FloatVector kj = FloatVector.broadcast(S, k[j * d + e]);
        s0 = FloatVector.fromArray(S, qt, e * BLOCK).fma(kj, s0);
        s1 = FloatVector.fromArray(S, qt, e * BLOCK + LANES).fma(kj, s1);
      }
      s0.intoArray(pt, j * BLOCK);
      s1.intoArray(pt, j * BLOCK + LANES);
    }
  }

  /**
   * Each column of {@code pt} (a query) → exp(p − max) in place over the seq keys; norm = 1 / Σ. One
   * vector of queries at a time, so that {@link #exp} has one call site (it is inlined there, where
   * two call sites in one loop were sometimes left as calls, which box their vectors).
   */
  private static void softmax(float[] pt, float[] norm, int seq) {
    for (int c = 0; c < BLOCK; c += LANES) {
      FloatVector max = FloatVector.fromArray(S, pt, c);
      for (int j = 1; j < seq; j++) {
        max = max.max(FloatVector.fromArray(S, pt, j * BLOCK + c));
      }
      FloatVector sum = FloatVector.zero(S);
      for (int j = 0; j < seq; j++) {
        FloatVector e = VectorFunctions.exp(FloatVector.fromArray(S, pt, j * BLOCK + c).sub(max));
        e.intoArray(pt, j * BLOCK + c);
        sum = sum.add(e);
      }
      FloatVector.broadcast(S, 1f).div(sum).intoArray(norm, c);
    }
  }

  /**
   * {@code out[outOff + c·hidden + e] = norm[c]·Σ_j pt[j, c]·V[j, e]} for the block's queries c:
   * {@link #QUERIES} queries by two vectors of head values at a time, each query's row written as it is.
   */
  private static void context(float[] pt, float[] v, float[] norm, float[] out, int outOff, int hidden,
      int queries, int seq, int d) {
    for (int e = 0; e < d; e += 2 * LANES) {
      int c = 0;
      for (; c + QUERIES <= queries; c += QUERIES) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00;
        FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int j = 0; j < seq; j++) {
          FloatVector v0 = FloatVector.fromArray(S, v, j * d + e);
          FloatVector v1 = FloatVector.fromArray(S, v, j * d + e + LANES);
          int pj = j * BLOCK + c;
          FloatVector p = FloatVector.broadcast(S, pt[pj]);
          a00 = p.fma(v0, a00);
          a01 = p.fma(v1, a01);
          p = FloatVector.broadcast(S, pt[pj + 1]);
          a10 = p.fma(v0, a10);
          a11 = p.fma(v1, a11);
          p = FloatVector.broadcast(S, pt[pj + 2]);
          a20 = p.fma(v0, a20);
          a21 = p.fma(v1, a21);
          p = FloatVector.broadcast(S, pt[pj + 3]);
          a30 = p.fma(v0, a30);
          a31 = p.fma(v1, a31);
        }
        int o = outOff + c * hidden + e;
        a00.mul(norm[c]).intoArray(out, o);
        a01.mul(norm[c]).intoArray(out, o + LANES);
        a10.mul(norm[c + 1]).intoArray(out, o += hidden);
        a11.mul(norm[c + 1]).intoArray(out, o + LANES);
        a20.mul(norm[c + 2]).intoArray(out, o += hidden);
        a21.mul(norm[c + 2]).intoArray(out, o + LANES);
        a30.mul(norm[c + 3]).intoArray(out, o += hidden);
        a31.mul(norm[c + 3]).intoArray(out, o + LANES);
      }
      for (; c < queries; c++) {                                   // the last queries one at a time
        FloatVector a0 = FloatVector.zero(S), a1 = a0;
        for (int j = 0; j < seq; j++) {
          FloatVector p = FloatVector.broadcast(S, pt[j * BLOCK + c]);
          a0 = p.fma(FloatVector.fromArray(S, v, j * d + e), a0);
          a1 = p.fma(FloatVector.fromArray(S, v, j * d + e + LANES), a1);
        }
        int o = outOff + c * hidden + e;
        a0.mul(norm[c]).intoArray(out, o);
        a1.mul(norm[c]).intoArray(out, o + LANES);
      }
    }
  }
}
