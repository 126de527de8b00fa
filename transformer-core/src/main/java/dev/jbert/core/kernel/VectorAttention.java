package dev.jbert.core.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner kernel of {@link FusedAttention}: one (sequence, head) at a time, over Java arrays with
 * the Vector API. The keys are stored transposed and both keys and values padded to whole pairs of
 * vectors (padding keys scored -∞), so that a query row's scores are {@code headDim} fused
 * multiply-adds of a broadcast query element by a row of Kᵀ, and its context {@code seq}
 * multiply-adds of a broadcast probability by a row of V: no horizontal sums, no tail loops.
 * Loaded only where the module is there and the vectors hold 16 floats ({@link
 * FusedAttention#supports}).
 */
final class VectorAttention {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = S.length();
  /**
   * The score of a padding lane: below any key's, masked ones included, so that a sequence whose
   * every key is masked still spreads its attention over its own keys, as the reference does.
   */
  private static final float PADDING = Float.NEGATIVE_INFINITY;
  /** Query rows per tile: four rows by two vectors of keys (or of head values) are eight accumulators. */
  private static final int ROWS = 4;

  private VectorAttention() {}

  /** Whether heads of {@code headDim} values fill whole pairs of vectors. */
  static boolean supports(int headDim) {
    return headDim % (2 * LANES) == 0;
  }

  /** Keys padded to whole pairs of vectors: the length of a row of Kᵀ and of the scores. */
  static int paddedSeq(int seq) {
    return (seq + 2 * LANES - 1) / (2 * LANES) * (2 * LANES);
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** The calling thread's scratch. */
  static Scratch scratch() {
    return SCRATCH.get();
  }

  /** A thread's arrays for one head: Q, Kᵀ, V, the scores of ROWS query rows, the key mask (see {@code pack}). */
  static final class Scratch {
    float[] q = new float[0];
    float[] kt = new float[0];
    float[] v = new float[0];
    float[] scores = new float[0];
    float[] mask = new float[0];
    final float[] norm = new float[ROWS];
    /** Offsets of LANES consecutive keys' rows in qkv (i·width), for the gather that transposes K. */
    final int[] keyRows = new int[LANES];
    private int width;

    void fit(int seq, int d, int width) {
      if (this.width != width) {
        for (int i = 0; i < LANES; i++) {
          keyRows[i] = i * width;
        }
        this.width = width;
      }
      int padded = paddedSeq(seq);
      if (q.length < padded * d || kt.length < d * padded || mask.length < padded) {
        q = new float[padded * d];                           // padded ≥ seq rounded up to ROWS
        kt = new float[d * padded];
        v = new float[padded * d];
        scores = new float[ROWS * padded];
        mask = new float[padded];
      }
    }
  }

  /**
   * Head {@code h} of sequence {@code b}: {@code out[t, h·d + e] = Σ_j P[i, j] V[j, e]} for token t =
   * b·seq + i, with {@code P[i] = softmax_j(Q[i]·K[j]·scale + maskAdd[b·seq + j])}; qkv [rows,
   * 3·hidden] without its bias, out [rows, hidden], both row-major.
   */
  static void head(float[] qkv, float[] bias, float[] maskAdd, float[] out, int b, int h, int seq, int heads, int d,
      float scale, Scratch s) {
    int hidden = heads * d;
    int padded = paddedSeq(seq);
    s.fit(seq, d, 3 * hidden);
    pack(qkv, bias, maskAdd, b, h, seq, heads, d, scale, s);
    float[] p = s.scores;
    float[] norm = s.norm;
    for (int i0 = 0; i0 < seq; i0 += ROWS) {
      scores(s.q, i0 * d, d, s.kt, padded, s.mask, p);
      for (int r = 0; r < ROWS; r++) {
        norm[r] = softmax(p, r * padded, padded);
      }
      for (int c = 0; c < d; c += 2 * LANES) {
        int outOff = (b * seq + i0) * hidden + h * d + c;
        context(p, padded, s.v, d, c, seq, norm, out, outOff, hidden, Math.min(ROWS, seq - i0));
      }
    }
  }

  /**
   * Q [roundUp(seq, ROWS), d] (bias added, times the scale; padding rows zero), Kᵀ [d, padded], V
   * [padded, d] and the key mask [padded] of one head; the keys past seq are zeros scored −∞.
   */
  private static void pack(float[] qkv, float[] bias, float[] maskAdd, int b, int h, int seq, int heads, int d,
      float scale, Scratch s) {
    int hidden = heads * d;
    int width = 3 * hidden;
    int padded = paddedSeq(seq);
    int qCol = h * d, kCol = hidden + h * d, vCol = 2 * hidden + h * d;
    float[] q = s.q, kt = s.kt, v = s.v;
    for (int j = 0; j < seq; j++) {
      int row = (b * seq + j) * width;
      s.mask[j] = maskAdd[b * seq + j];
      for (int e = 0; e < d; e += LANES) {                     // Q and V rows: whole vectors
        FloatVector.fromArray(S, qkv, row + qCol + e).add(FloatVector.fromArray(S, bias, qCol + e)).mul(scale)
            .intoArray(q, j * d + e);
        FloatVector.fromArray(S, qkv, row + vCol + e).add(FloatVector.fromArray(S, bias, vCol + e))
            .intoArray(v, j * d + e);
      }
    }
    // K transposed by gathers of LANES keys (one element of each row): 2.8 against 3.3-3.6 us a head
    // at 32 tokens, 8.0-8.3 against 8.6 at 64, 27.4-27.7 against 28.7-29.1 at 128 one element at a time.
    int whole = seq / LANES * LANES;
    for (int j0 = 0; j0 < whole; j0 += LANES) {
      int base = (b * seq + j0) * width + kCol;
      for (int e = 0; e < d; e++) {
        FloatVector.fromArray(S, qkv, base + e, s.keyRows, 0).add(bias[kCol + e]).intoArray(kt, e * padded + j0);
      }
    }
    for (int j = whole; j < seq; j++) {                         // the last keys one element at a time
      int row = (b * seq + j) * width;
      for (int e = 0; e < d; e++) {
        kt[e * padded + j] = qkv[row + kCol + e] + bias[kCol + e];
      }
    }
    Arrays.fill(q, seq * d, (seq + ROWS - 1) / ROWS * ROWS * d, 0f);
    for (int j = seq; j < padded; j++) {
      s.mask[j] = PADDING;
      for (int e = 0; e < d; e++) {
        kt[e * padded + j] = 0f;
      }
    }
    Arrays.fill(v, seq * d, padded * d, 0f);
  }

  /**
   * Scores of ROWS query rows from {@code qOff}: {@code p[r, j] = mask[j] + Σ_e Q[r, e]·Kᵀ[e, j]},
   * two key vectors at a time, eight accumulators written out (independent chains, in registers).
   */
  private static void scores(float[] q, int qOff, int d, float[] kt, int padded, float[] mask, float[] p) {
    for (int c = 0; c < padded; c += 2 * LANES) {
      FloatVector m0 = FloatVector.fromArray(S, mask, c), m1 = FloatVector.fromArray(S, mask, c + LANES);
      FloatVector s00 = m0, s01 = m1, s10 = m0, s11 = m1, s20 = m0, s21 = m1, s30 = m0, s31 = m1;
      for (int e = 0; e < d; e++) {
        FloatVector k0 = FloatVector.fromArray(S, kt, e * padded + c);
        FloatVector k1 = FloatVector.fromArray(S, kt, e * padded + c + LANES);
        FloatVector q0 = FloatVector.broadcast(S, q[qOff + e]);
        FloatVector q1 = FloatVector.broadcast(S, q[qOff + d + e]);
        FloatVector q2 = FloatVector.broadcast(S, q[qOff + 2 * d + e]);
        FloatVector q3 = FloatVector.broadcast(S, q[qOff + 3 * d + e]);
        s00 = k0.fma(q0, s00);
        s01 = k1.fma(q0, s01);
        s10 = k0.fma(q1, s10);
        s11 = k1.fma(q1, s11);
        s20 = k0.fma(q2, s20);
        s21 = k1.fma(q2, s21);
        s30 = k0.fma(q3, s30);
        s31 = k1.fma(q3, s31);
      }
      s00.intoArray(p, c);
      s01.intoArray(p, c + LANES);
      s10.intoArray(p, padded + c);
      s11.intoArray(p, padded + c + LANES);
      s20.intoArray(p, 2 * padded + c);
      s21.intoArray(p, 2 * padded + c + LANES);
      s30.intoArray(p, 3 * padded + c);
      s31.intoArray(p, 3 * padded + c + LANES);
    }
  }

  /** Row {@code p[off, off + n)} → exp(p − max) in place; returns 1 / Σ exp. */
  private static float softmax(float[] p, int off, int n) {
    FloatVector max = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    for (int c = 0; c < n; c += LANES) {
      max = max.max(FloatVector.fromArray(S, p, off + c));
    }
    float rowMax = max.reduceLanes(VectorOperators.MAX);
    FloatVector sum = FloatVector.zero(S);
    for (int c = 0; c < n; c += LANES) {
      FloatVector e = exp(FloatVector.fromArray(S, p, off + c).sub(rowMax));
      e.intoArray(p, off + c);
      sum = sum.add(e);
    }
    return 1f / sum.reduceLanes(VectorOperators.ADD);
  }

  /**
   * Columns [c, c + 2·LANES) of the context of ROWS query rows: {@code Σ_j p[r, j]·V[j]} times
   * {@code norm[r]}, the first {@code rows} of them written to out from {@code outOff} (stride ldo).
   */
  private static void context(float[] p, int padded, float[] v, int d, int c, int seq, float[] norm, float[] out,
      int outOff, int ldo, int rows) {
    FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    for (int j = 0; j < seq; j++) {
      FloatVector v0 = FloatVector.fromArray(S, v, j * d + c);
      FloatVector v1 = FloatVector.fromArray(S, v, j * d + c + LANES);
      FloatVector p0 = FloatVector.broadcast(S, p[j]);
      FloatVector p1 = FloatVector.broadcast(S, p[padded + j]);
      FloatVector p2 = FloatVector.broadcast(S, p[2 * padded + j]);
      FloatVector p3 = FloatVector.broadcast(S, p[3 * padded + j]);
      a00 = v0.fma(p0, a00);
      a01 = v1.fma(p0, a01);
      a10 = v0.fma(p1, a10);
      a11 = v1.fma(p1, a11);
      a20 = v0.fma(p2, a20);
      a21 = v1.fma(p2, a21);
      a30 = v0.fma(p3, a30);
      a31 = v1.fma(p3, a31);
    }
    store(a00, a01, norm[0], out, outOff);                   // rows past the sequence are dropped
    if (rows > 1) {
      store(a10, a11, norm[1], out, outOff + ldo);
    }
    if (rows > 2) {
      store(a20, a21, norm[2], out, outOff + 2 * ldo);
    }
    if (rows > 3) {
      store(a30, a31, norm[3], out, outOff + 3 * ldo);
    }
  }

  private static void store(FloatVector lo, FloatVector hi, float norm, float[] out, int off) {
    lo.mul(norm).intoArray(out, off);
    hi.mul(norm).intoArray(out, off + LANES);
  }

  /** {@link Functions#expApprox(float)} on each lane (x ≤ 0): the same polynomial and squarings. */
  private static FloatVector exp(FloatVector x) {
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
