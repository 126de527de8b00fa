package dev.jbert.bench.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Attention written the straightforward way, from ND4J's own ops, with the arguments of
 * {@link dev.jbert.core.kernel.Attention}'s {@code forward}/{@code backward} (no dropout): head split
 * and merge as assigns of permuted views, rank-3 {@code Nd4j.matmul}, scale, a broadcast mask add
 * and ND4J's softmax op; the softmax backward as a multiply, a row sum and a broadcast subtract.
 * The baseline of {@link AttentionBenchmark}; {@code Nd4jAttentionTest} holds it to the kernel.
 */
final class Nd4jAttention {

  private Nd4jAttention() {}

  /**
   * As {@code Attention.forward(out, probs, null, qkv, qkvBias, maskAdd, heads, null)}, the heads
   * copied into q, k, v; maskAdd [batch, seq].
   */
  static void forward(INDArray out, INDArray q, INDArray k, INDArray v, INDArray probs, INDArray context, INDArray qkv,
      INDArray qkvBias, INDArray maskAdd, int heads) {
    int seq = (int) q.size(1);
    int headDim = (int) q.size(2);
    int batch = (int) q.size(0) / heads;
    INDArray biased = qkv.addRowVector(qkvBias.reshape(1, qkvBias.length()));
    INDArray[] qkv3 = {q, k, v};
    for (int which = 0; which < 3; which++) {
      qkv3[which].reshape(batch, heads, seq, headDim)
          .assign(third(biased, which, heads, headDim).reshape(batch, seq, heads, headDim).permute(0, 2, 1, 3));
    }
    Nd4j.matmul(q, k, probs, false, true, false);
    probs.muli(1.0 / Math.sqrt(headDim));
    INDArray p4 = probs.reshape(batch, heads, seq, seq);
    Nd4j.exec(new BroadcastAddOp(p4, maskAdd, p4, 0, 3));
    Nd4j.exec(new SoftMax(probs, probs, 2));
    Nd4j.matmul(probs, v, context, false, false, false);
    out.reshape(batch, seq, heads, headDim).assign(context.reshape(batch, heads, seq, headDim).permute(0, 2, 1, 3));
  }

  /** As {@code Attention.backward(...)} without dropout: dqkv [rows, 3·hidden], dqkvBias accumulated. */
  static void backward(INDArray dqkv, INDArray dqkvBias, INDArray dContext, INDArray dProbs, INDArray dq, INDArray dk,
      INDArray dv, INDArray dout, INDArray q, INDArray k, INDArray v, INDArray probs, int heads) {
    int seq = (int) q.size(1);
    int headDim = (int) q.size(2);
    int batch = (int) q.size(0) / heads;
    dContext.reshape(batch, heads, seq, headDim).assign(dout.reshape(batch, seq, heads, headDim).permute(0, 2, 1, 3));
    Nd4j.matmul(dContext, v, dProbs, false, true, false);                // dP = dC Vᵀ
    Nd4j.matmul(probs, dContext, dv, true, false, false);                // dV = Pᵀ dC
    INDArray rowDot = probs.mul(dProbs).sum(2);                           // Σ_j P·dP   [n, seq]
    Nd4j.exec(new BroadcastSubOp(dProbs, rowDot, dProbs, 0, 1));
    dProbs.muli(probs).muli(1.0 / Math.sqrt(headDim));                    // dS
    Nd4j.matmul(dProbs, k, dq, false, false, false);                      // dQ = dS K
    Nd4j.matmul(dProbs, q, dk, true, false, false);                       // dK = dSᵀ Q
    INDArray[] d3 = {dq, dk, dv};
    for (int which = 0; which < 3; which++) {
      third(dqkv, which, heads, headDim).reshape(batch, seq, heads, headDim)
          .assign(d3[which].reshape(batch, heads, seq, headDim).permute(0, 2, 1, 3));
    }
    dqkvBias.addi(dqkv.sum(0));
  }

  /** Q, K or V's columns of [rows, 3·hidden]. */
  private static INDArray third(INDArray qkv, int which, int heads, int headDim) {
    int hidden = heads * headDim;
    return qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(which * hidden, (which + 1) * hidden));
  }
}
