package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Multi-head scaled dot-product attention with an additive padding mask and dropout on the
 * probabilities, from the fused Q, K, V projection to the merged context, forward and backward:
 * <pre>
 *   Q, K, V = split(qkv + bias)                     [rows, 3·hidden] → 3 × [batch·heads, seq, headDim]
 *   P       = softmax(Q Kᵀ / √headDim + mask)       [batch·heads, seq, seq]   ({@link MaskedSoftmax})
 *   out     = merge(dropout(P) V)                   [rows, hidden]
 * </pre>
 * Row t = (b, s) of the projection holds, for each of Q, K, V and head h, headDim values that
 * belong to row s of head (b, h). The head products are batched GEMMs ({@link Gemm#batched}).
 */
public final class Attention {

  /** {@code torch.finfo(torch.float32).min}: the additive mask of padded keys. */
  public static final double MASK_VALUE = -3.4028234663852886e38;

  private Attention() {}

  /**
   * {@code out [rows, hidden]} from the projection {@code qkv [rows, 3·hidden]} (without its bias).
   *
   * @param q, k, v saved heads [batch·heads, seq, headDim], the bias added
   * @param probs saved probabilities [batch·heads, seq, seq]
   * @param dropped saved P after dropout [batch·heads, seq, seq] (unused without a mask)
   * @param context scratch [batch·heads, seq, headDim]
   * @param maskAdd [batch·seq]: 0 for tokens, {@link #MASK_VALUE} for padded keys
   * @param mask the dropout on P, or null
   */
  public static void forward(INDArray out, INDArray q, INDArray k, INDArray v, INDArray probs, INDArray dropped,
      INDArray context, INDArray qkv, INDArray qkvBias, double[] maskAdd, int heads, DropoutMask mask) {
    int headDim = (int) q.size(2);
    splitHeads(q, k, v, qkv, qkvBias, heads);                                  // Q, K, V (+ bias)
    Gemm.batched(q, k, probs, false, true);                                     // S = Q Kᵀ
    MaskedSoftmax.forward(probs, dropped, maskAdd, heads, 1.0 / Math.sqrt(headDim), mask);
    Gemm.batched(mask == null ? probs : dropped, v, context, false, false);     // C = dropout(P) V
    mergeHeads(out, context, heads);
  }

  /**
   * {@code dqkv [rows, 3·hidden]} from {@code dout [rows, hidden]}; accumulates the fused bias
   * gradient into {@code dqkvBias [3·hidden]}.
   *
   * @param dContext, dq, dk, dv scratch [batch·heads, seq, headDim]; {@code dProbs} [batch·heads, seq, seq]
   */
  public static void backward(INDArray dqkv, INDArray dqkvBias, INDArray dContext, INDArray dProbs, INDArray dq,
      INDArray dk, INDArray dv, INDArray dout, INDArray q, INDArray k, INDArray v, INDArray probs, INDArray dropped,
      int heads, DropoutMask mask) {
    int headDim = (int) q.size(2);
    splitMerged(dContext, dout, heads);
    Gemm.batched(dContext, v, dProbs, false, true);                             // d(dropped P) = dC Vᵀ
    Gemm.batched(mask == null ? probs : dropped, dContext, dv, true, false);    // dV = Pᵀ dC
    MaskedSoftmax.backward(dProbs, probs, 1.0 / Math.sqrt(headDim), mask);      // → dS in place
    Gemm.batched(dProbs, k, dq, false, false);                                  // dQ = dS K
    Gemm.batched(dProbs, q, dk, true, false);                                   // dK = dSᵀ Q
    mergeQkv(dqkv, dqkvBias, dq, dk, dv, heads);
  }

  /**
   * [batch·heads, seq, headDim] → [batch·seq, hidden]: for FLOAT a row gather, as {@link #splitHeads}
   * (an ND4J assign of the permuted view was 1.5% of a batch-1 forward, mostly dispatch).
   */
  private static void mergeHeads(INDArray out, INDArray h, int heads) {
    HeadLayout l = new HeadLayout(h, heads);
    if (Flat.isDouble(h)) {                                    // the double reference: a permuted view
      out.reshape(l.batch(), l.seq, heads, l.headDim).assign(h.reshape(l.batch(), heads, l.seq, l.headDim)
          .permute(0, 2, 1, 3));
      return;
    }
    Flat in = Flat.of(h), o = Flat.of(out);
    int hidden = heads * l.headDim;
    Parallel.rows(l.rows, 64, (part, from, to) -> {
      float[] row = new float[hidden];
      for (int t = from; t < to; t++) {
        for (int j = 0; j < heads; j++) {
          in.get(l.headRow(t, j), row, j * l.headDim, l.headDim);
        }
        o.put(t * hidden, row, 0, hidden);
      }
    });
  }

  /** [batch·seq, hidden] → [batch·heads, seq, headDim]. */
  private static void splitMerged(INDArray out, INDArray m, int heads) {
    int seq = (int) out.size(1);
    int headDim = (int) out.size(2);
    int batch = (int) out.size(0) / heads;
    out.reshape(batch, heads, seq, headDim).assign(m.reshape(batch, seq, heads, headDim).permute(0, 2, 1, 3));
  }

  /**
   * Q, K, V heads from the projection plus its bias: each row t of qkv scattered into the heads.
   * Measured at MiniLM's [2048, 3·384], 12 heads, on the shared 2-core machine: a bias GEMM plus
   * three ND4J assigns of permuted views 7.3 ms (lower quartile of 50), this kernel 4.3 ms.
   */
  private static void splitHeads(INDArray q, INDArray k, INDArray v, INDArray qkv, INDArray bias, int heads) {
    HeadLayout l = new HeadLayout(q, heads);
    Flat in = Flat.of(qkv);
    Flat[] out = {Flat.of(q), Flat.of(k), Flat.of(v)};
    if (Flat.isDouble(qkv)) {                                  // the double reference: views and copies
      INDArray biased = qkv.add(bias.reshape(1, l.width));
      INDArray[] heads3 = {q, k, v};
      for (int which = 0; which < 3; which++) {
        heads3[which].reshape(l.batch(), heads, l.seq, l.headDim).assign(third(biased, which, l).permute(0, 2, 1, 3));
      }
      return;
    }
    float[] bf = Flat.of(bias).toFloats();
    Parallel.rows(l.rows, 64, (part, from, to) -> {
      float[] row = new float[l.width];
      for (int t = from; t < to; t++) {
        in.get(t * l.width, row, 0, l.width);
        for (int j = 0; j < l.width; j++) {
          row[j] += bf[j];
        }
        for (int j = 0; j < 3 * heads; j++) {
          out[j / heads].put(l.headRow(t, j % heads), row, j * l.headDim, l.headDim);
        }
      }
    });
  }

  /** The inverse of {@link #splitHeads}: head gradients gathered into dqkv rows, their sum into the bias gradient. */
  private static void mergeQkv(INDArray dqkv, INDArray dBias, INDArray dq, INDArray dk, INDArray dv, int heads) {
    HeadLayout l = new HeadLayout(dq, heads);
    Flat[] in = {Flat.of(dq), Flat.of(dk), Flat.of(dv)};
    Flat out = Flat.of(dqkv);
    if (Flat.isDouble(dqkv)) {                                 // the double reference: views and copies
      INDArray[] heads3 = {dq, dk, dv};
      for (int which = 0; which < 3; which++) {
        third(dqkv, which, l).assign(heads3[which].reshape(l.batch(), heads, l.seq, l.headDim).permute(0, 2, 1, 3));
      }
      Linear.sumRowsInto(dBias, dqkv);
      return;
    }
    double[][] biasSums = new double[Parallel.maxParts()][l.width];
    Parallel.rows(l.rows, 64, (part, from, to) -> {
      float[] row = new float[l.width];
      float[] sums = new float[l.width];                       // this slice's bias gradient, summed in float
      for (int t = from; t < to; t++) {
        for (int j = 0; j < 3 * heads; j++) {
          in[j / heads].get(l.headRow(t, j % heads), row, j * l.headDim, l.headDim);
        }
        for (int j = 0; j < l.width; j++) {
          sums[j] += row[j];
        }
        out.put(t * l.width, row, 0, l.width);
      }
      for (int j = 0; j < l.width; j++) {
        biasSums[part][j] = sums[j];
      }
    });
    Flat biasGrad = Flat.of(dBias);
    for (double[] sums : biasSums) {
      biasGrad.add(0, sums, 0, sums.length);
    }
  }

  /** Q, K or V's columns of a [batch·seq, 3·hidden] array, as a [batch, seq, heads, headDim] view. */
  private static INDArray third(INDArray qkv, int which, HeadLayout l) {
    int hidden = l.heads * l.headDim;
    return qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(which * hidden, (which + 1) * hidden))
        .reshape(l.batch(), l.seq, l.heads, l.headDim);
  }

  /** Where row s of head (b, h) lies in [batch·heads, seq, headDim], for token t = b·seq + s. */
  private record HeadLayout(int heads, int seq, int headDim, int rows, int width) {
    HeadLayout(INDArray head, int heads) {
      this(heads, (int) head.size(1), (int) head.size(2), (int) head.size(0) / heads * (int) head.size(1),
          3 * heads * (int) head.size(2));
    }

    int batch() {
      return rows / seq;
    }

    int headRow(int t, int h) {
      return ((t / seq * heads + h) * seq + t % seq) * headDim;
    }
  }
}
