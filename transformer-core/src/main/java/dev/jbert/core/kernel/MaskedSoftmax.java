package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The softmax of attention scores with the 1/√d scale, the additive key mask and the dropout on
 * the probabilities fused in, over [batch·heads, queries, seq] (queries = seq, or 1 when only each
 * sequence's first token asks): {@code P[r, j] = softmax_j(S[r, j]·scale + maskAdd[b, j])} for row
 * r = (b·heads + h)·queries + i.
 * Backward: {@code dS = P ⊙ (dP − Σ_j P·dP)·scale}, dP the gradient of the dropped P unmasked.
 */
public final class MaskedSoftmax {

  private MaskedSoftmax() {}

  /**
   * Scores → probabilities in place (saved for the backward), and {@code dropped = P ⊙ mask} when
   * the mask is not null.
   *
   * @param maskAdd [batch·seq]: 0 for tokens, {@link Attention#MASK_VALUE} for padded keys
   */
  public static void forward(INDArray scores, INDArray dropped, double[] maskAdd, int heads, double scale,
      DropoutMask mask) {
    int blocks = (int) scores.size(0);
    int queries = (int) scores.size(1);
    int seq = (int) scores.size(2);
    Flat p = Flat.of(scores);
    Flat d = mask == null ? null : Flat.of(dropped);
    if (Flat.isDouble(scores)) {
      forwardReference(p, d, maskAdd, heads, queries, seq, scale, mask);
      return;
    }
    float[] maskF = Functions.toFloats(maskAdd);
    float scaleF = (float) scale;
    boolean vector = PackedWeight.wideVectors();
    // One (batch, head) block of seq rows at a time: the plain exp runs over the whole block, because
    // HotSpot leaves loops as short as one row (64 at seq 64) mostly in their scalar pre- and
    // post-loops (MiniLM 32×64, six layers: 23 → 18 ms a step).
    Parallel.rows(blocks, 4, (part, fromBlock, toBlock) -> {
      int size = queries * seq;
      float[] s = new float[size];
      for (int block = fromBlock; block < toBlock; block++) {
        int maskRow = (block / heads) * seq;
        p.get(block * size, s, 0, size);
        if (vector) {
          for (int o = 0; o < size; o += seq) {
            VectorSoftmax.expShifted(s, o, seq, VectorSoftmax.scaleMaskMax(s, o, seq, scaleF, maskF, maskRow));
          }
        } else {
          scaleMaskShift(s, queries, seq, scaleF, maskF, maskRow);
          Functions.expNonPositive(s, 0, size);
        }
        for (int i = 0; i < queries; i++) {
          int o = i * seq;
          float inv = (float) (1.0 / Functions.sum(s, o, o + seq));
          for (int j = 0; j < seq; j++) {
            s[o + j] *= inv;
          }
        }
        p.put(block * size, s, 0, size);
        if (d != null) {
          mask.applyInPlace(block * size, s, 0, size);
          d.put(block * size, s, 0, size);
        }
      }
    });
  }

  /** {@code s ← s·scale + mask − max} row by row, the max that of each row's scaled and masked scores. */
  static void scaleMaskShift(float[] s, int queries, int seq, float scale, float[] mask, int maskRow) {
    for (int o = 0; o < queries * seq; o += seq) {
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < seq; j++) {
        float v = s[o + j] * scale + mask[maskRow + j];
        s[o + j] = v;
        max = Math.max(max, v);
      }
      for (int j = 0; j < seq; j++) {
        s[o + j] -= max;
      }
    }
  }

  /**
   * d(dropped P) → dS, in place in {@code dDropped}, from the probabilities of the forward; the
   * dropout's backward is fused in (one pass instead of two, no scratch array).
   */
  public static void backward(INDArray dDropped, INDArray probs, double scale, DropoutMask mask) {
    int blocks = (int) probs.size(0);
    int queries = (int) probs.size(1);
    int seq = (int) probs.size(2);
    Flat p = Flat.of(probs);
    Flat d = Flat.of(dDropped);
    if (Flat.isDouble(probs)) {
      backwardReference(p, d, seq, scale, mask);
      return;
    }
    float scaleF = (float) scale;
    Parallel.rows(blocks, 4, (part, fromBlock, toBlock) -> {
      int size = queries * seq;
      float[] pr = new float[size];
      float[] g = new float[size];
      for (int block = fromBlock; block < toBlock; block++) {
        p.get(block * size, pr, 0, size);
        d.get(block * size, g, 0, size);
        if (mask != null) {
          mask.applyInPlace(block * size, g, 0, size);         // d(dropped P) → dP
        }
        for (int i = 0; i < queries; i++) {
          int o = i * seq;
          float dot = (float) Functions.dot(pr, g, o, o + seq);
          for (int j = 0; j < seq; j++) {
            g[o + j] = pr[o + j] * (g[o + j] - dot) * scaleF;
          }
        }
        d.put(block * size, g, 0, size);
      }
    });
  }

  /** {@link #forward} in plain double arithmetic, row by row. */
  private static void forwardReference(Flat probs, Flat dropped, double[] maskAdd, int heads, int queries, int seq,
      double scale, DropoutMask mask) {
    double[] s = probs.toArray();
    for (int r = 0; r < s.length / seq; r++) {
      int o = r * seq;
      int maskRow = (r / (heads * queries)) * seq;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < seq; j++) {
        s[o + j] = s[o + j] * scale + maskAdd[maskRow + j];
        max = Math.max(max, s[o + j]);
      }
      double sum = 0;
      for (int j = 0; j < seq; j++) {
        s[o + j] = Math.exp(s[o + j] - max);
        sum += s[o + j];
      }
      for (int j = 0; j < seq; j++) {
        s[o + j] /= sum;
      }
    }
    probs.put(0, s, 0, s.length);
    if (dropped != null) {
      mask.applyInPlace(0, s, 0, s.length);
      dropped.put(0, s, 0, s.length);
    }
  }

  /** {@link #backward} in plain double arithmetic. */
  private static void backwardReference(Flat probs, Flat dDropped, int seq, double scale, DropoutMask mask) {
    double[] p = probs.toArray();
    double[] g = dDropped.toArray();
    if (mask != null) {
      mask.applyInPlace(0, g, 0, g.length);
    }
    for (int o = 0; o < p.length; o += seq) {
      double dot = 0;
      for (int j = 0; j < seq; j++) {
        dot += p[o + j] * g[o + j];
      }
      for (int j = 0; j < seq; j++) {
        g[o + j] = p[o + j] * (g[o + j] - dot) * scale;
      }
    }
    dDropped.put(0, g, 0, g.length);
  }
}
