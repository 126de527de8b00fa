package dev.jbert.bench.kernel;

import dev.jbert.core.kernel.Attention;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The arrays of {@link Attention#forward} for {@code sequences} sequences of {@code seq} tokens and
 * {@link KernelState#HEADS} heads of {@code headDim}: the projection (random), its bias, the saved
 * probabilities, the merged output, no padding; and the heads and context scratch that {@link
 * Nd4jAttention} copies the heads into. The kernel adds the bias to the projection in place, so the
 * values drift from call to call; the work does not.
 */
final class AttentionArrays {

  final int seq;
  final int heads = KernelState.HEADS;
  final INDArray qkv;        // [rows, 3·hidden]
  final INDArray qkvBias;    // [3·hidden]
  final INDArray out;        // [rows, hidden]
  final INDArray q;          // [sequences·heads, seq, headDim], as k, v and context: Nd4jAttention's
  final INDArray k;
  final INDArray v;
  final INDArray probs;      // [sequences·heads, seq, seq]
  final INDArray context;
  final double[] maskAdd;    // [rows], all tokens

  AttentionArrays(DataType t, int sequences, int seq, int headDim) {
    this.seq = seq;
    int hidden = heads * headDim;
    int rows = sequences * seq;
    int n = sequences * heads;
    qkv = KernelState.randn(t, 1, rows, 3 * hidden);
    qkvBias = KernelState.randn(t, 0.1, 3 * hidden);
    out = Nd4j.zeros(t, rows, hidden);
    q = Nd4j.zeros(t, n, seq, headDim);
    k = Nd4j.zeros(t, n, seq, headDim);
    v = Nd4j.zeros(t, n, seq, headDim);
    probs = Nd4j.zeros(t, n, seq, seq);
    context = Nd4j.zeros(t, n, seq, headDim);
    maskAdd = new double[rows];
  }

  /** The batched forward ({@link Attention#forward}, no dropout) into {@link #out}. */
  INDArray forward() {
    Attention.forward(out, probs, null, qkv, qkvBias, maskAdd, heads, null);
    return out;
  }
}
