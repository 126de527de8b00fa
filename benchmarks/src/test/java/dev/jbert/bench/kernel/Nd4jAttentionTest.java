package dev.jbert.bench.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.backend.Backend;
import dev.jbert.core.kernel.Attention;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The ND4J-op baseline of the attention benchmark computes what the kernel computes, forward and backward. */
class Nd4jAttentionTest {

  @Test
  void matchesTheAttentionKernel() {
    Backend.init();
    Nd4j.getRandom().setSeed(3);
    int batch = 2, seq = 8, heads = 3, headDim = 4, hidden = heads * headDim, rows = batch * seq, n = batch * heads;
    DataType t = DataType.FLOAT;
    INDArray qkv = Nd4j.randn(t, rows, 3 * hidden);
    INDArray bias = Nd4j.randn(t, 3 * hidden).muli(0.1);
    INDArray dout = Nd4j.randn(t, rows, hidden);
    double[] mask = new double[rows];
    mask[seq - 1] = Attention.MASK_VALUE; // the last token of the first sequence is padding
    INDArray mask2d = Nd4j.createFromArray(new float[][] {new float[seq], new float[seq]});
    mask2d.putScalar(0, seq - 1, (float) Attention.MASK_VALUE);
    INDArray[] kernel = run(false, qkv, bias, dout, mask, mask2d, batch, seq, heads, headDim);
    INDArray[] nd4j = run(true, qkv, bias, dout, mask, mask2d, batch, seq, heads, headDim);
    for (int i = 0; i < kernel.length; i++) {
      double diff = Math.abs(kernel[i].sub(nd4j[i]).maxNumber().doubleValue());
      diff = Math.max(diff, Math.abs(kernel[i].sub(nd4j[i]).minNumber().doubleValue()));
      assertTrue(diff < 1e-4, "output " + i + " differs by " + diff);
    }
  }

  /** {out, dqkv, dqkvBias} of one forward and backward. */
  private static INDArray[] run(boolean nd4j, INDArray qkv, INDArray bias, INDArray dout, double[] mask, INDArray mask2d,
      int batch, int seq, int heads, int headDim) {
    DataType t = DataType.FLOAT;
    int hidden = heads * headDim, rows = batch * seq, n = batch * heads;
    INDArray out = Nd4j.zeros(t, rows, hidden), q = Nd4j.zeros(t, n, seq, headDim), k = Nd4j.zeros(t, n, seq, headDim);
    INDArray v = Nd4j.zeros(t, n, seq, headDim), probs = Nd4j.zeros(t, n, seq, seq), ctx = Nd4j.zeros(t, n, seq, headDim);
    INDArray dqkv = Nd4j.zeros(t, rows, 3 * hidden), dBias = Nd4j.zeros(t, 3 * hidden);
    INDArray dCtx = Nd4j.zeros(t, n, seq, headDim), dProbs = Nd4j.zeros(t, n, seq, seq);
    INDArray dq = Nd4j.zeros(t, n, seq, headDim), dk = Nd4j.zeros(t, n, seq, headDim), dv = Nd4j.zeros(t, n, seq, headDim);
    if (nd4j) {
      Nd4jAttention.forward(out, q, k, v, probs, ctx, qkv, bias, mask2d, heads);
      Nd4jAttention.backward(dqkv, dBias, dCtx, dProbs, dq, dk, dv, dout, q, k, v, probs, heads);
    } else {
      INDArray projection = qkv.dup();                   // Q, K, V once the forward added the bias
      Attention.forward(out, probs, null, projection, bias, mask, heads, null);
      Attention.backward(dqkv, dBias, dProbs, dout, projection, probs, null, heads, null);
    }
    return new INDArray[] {out.dup(), dqkv.dup(), dBias.dup()};
  }
}
