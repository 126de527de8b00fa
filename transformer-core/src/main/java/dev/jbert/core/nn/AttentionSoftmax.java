package dev.jbert.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The softmax of attention scores with the 1/√d scale and the additive key mask fused in, in place
 * over [batch·heads, seq, seq]: {@code P[r, j] = softmax_j(S[r, j] / √d + maskAdd[b, j])} for row
 * r = (b·heads + h)·seq + i. Backward: {@code dS = P ⊙ (dP − Σ_j P·dP) / √d}, also in place. The
 * dropout on P is fused into both passes.
 */
public final class AttentionSoftmax {

  private final int batch;
  private final int heads;
  private final int seq;
  private final double scale;       // 1/√headDim
  private final boolean exact;      // DOUBLE: double kernels; FLOAT: their float twins
  private INDArray probs;           // [batch·heads, seq, seq] of the last forward
  private double[] maskAdd;         // [batch·seq]

  public AttentionSoftmax(DataType dataType, int batch, int heads, int seq, int headDim) {
    this.batch = batch;
    this.heads = heads;
    this.seq = seq;
    this.scale = 1.0 / Math.sqrt(headDim);
    this.exact = dataType == DataType.DOUBLE;
  }

  /**
   * Scores → probabilities in place (kept for the backward pass), and the dropout on them fused
   * in: returns the dropped probabilities, in the dropout's {@link Dropout#output()} when it is
   * active, else the probabilities themselves.
   *
   * @param maskAdd [batch·seq]: 0 for tokens, {@link SelfAttention#MASK_VALUE} for padded keys
   * @param dropout the dropout applied to the probabilities
   */
  public INDArray forward(INDArray scores, double[] maskAdd, Dropout dropout) {
    this.probs = scores;
    this.maskAdd = maskAdd;
    INDArray dropped = dropout.drawMask() ? dropout.output() : scores;
    Flat p = Flat.of(scores);
    Flat d = dropped == scores ? null : Flat.of(dropped);
    int rows = batch * heads * seq;
    if (exact) {
      Parallel.rows(rows, 256, (part, from, to) -> softmaxRows(p, d, dropout, from, to));
    } else {
      float[] mask = Functions.toFloats(maskAdd);
      Parallel.rows(batch * heads, 4, (part, from, to) -> softmaxBlocksFloat(p, d, dropout, mask, from, to));
    }
    return dropped;
  }

  private void softmaxRows(Flat p, Flat dropped, Dropout dropout, int from, int to) {
    double[] s = new double[seq];
    for (int r = from; r < to; r++) {
      int maskRow = (r / (heads * seq)) * seq;
      p.get(r * seq, s, 0, seq);
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < seq; j++) {
        s[j] = s[j] * scale + maskAdd[maskRow + j];
        max = Math.max(max, s[j]);
      }
      for (int j = 0; j < seq; j++) {
        s[j] -= max;
      }
      Functions.expNonPositive(s, 0, seq, true);
      double sum = 0;
      for (int j = 0; j < seq; j++) {
        sum += s[j];
      }
      double inv = 1.0 / sum;
      for (int j = 0; j < seq; j++) {
        s[j] *= inv;
      }
      p.put(r * seq, s, 0, seq);
      if (dropped != null) {
        dropout.maskInPlace(r * seq, s, 0, seq);
        dropped.put(r * seq, s, 0, seq);
      }
    }
  }

  /**
   * The float twin of {@link #softmaxRows}, one (batch, head) block of seq rows at a time: the exp
   * runs over the whole block, because HotSpot leaves loops as short as one row (64 at seq 64)
   * mostly in their scalar pre- and post-loops (MiniLM 32×64, six layers: 23 → 18 ms a step).
   */
  private void softmaxBlocksFloat(Flat p, Flat dropped, Dropout dropout, float[] mask, int fromBlock, int toBlock) {
    int size = seq * seq;
    float[] s = new float[size];
    float[] rowMax = new float[seq];
    float scaleF = (float) scale;
    for (int block = fromBlock; block < toBlock; block++) {
      int maskRow = (block / heads) * seq;
      p.get(block * size, s, 0, size);
      for (int i = 0; i < seq; i++) {
        int o = i * seq;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < seq; j++) {
          float v = s[o + j] * scaleF + mask[maskRow + j];
          s[o + j] = v;
          max = Math.max(max, v);
        }
        rowMax[i] = max;
      }
      for (int i = 0; i < seq; i++) {
        int o = i * seq;
        float max = rowMax[i];
        for (int j = 0; j < seq; j++) {
          s[o + j] -= max;
        }
      }
      Functions.expNonPositive(s, 0, size);
      for (int i = 0; i < seq; i++) {
        int o = i * seq;
        float inv = (float) (1.0 / Functions.sum(s, o, o + seq));
        for (int j = 0; j < seq; j++) {
          s[o + j] *= inv;
        }
      }
      p.put(block * size, s, 0, size);
      if (dropped != null) {
        dropout.maskInPlace(block * size, s, 0, size);
        dropped.put(block * size, s, 0, size);
      }
    }
  }

  /**
   * d(dropped P) → dS in place in {@code dDropped}, with the probabilities of the last forward. The
   * backward of the dropout applied to P is fused in (one pass over [batch·heads, seq, seq] instead
   * of two, and no scratch array); pass the dropout whose forward took this softmax's output.
   */
  public INDArray backward(INDArray dDropped, Dropout dropout) {
    Flat p = Flat.of(probs);
    Flat d = Flat.of(dDropped);
    int rows = batch * heads * seq;
    if (exact) {
      Parallel.rows(rows, 256, (part, from, to) -> softmaxBackwardRows(p, d, dropout, from, to));
    } else {
      Parallel.rows(batch * heads, 4, (part, from, to) -> softmaxBackwardBlocksFloat(p, d, dropout, from, to));
    }
    return dDropped;
  }

  private void softmaxBackwardRows(Flat p, Flat d, Dropout dropout, int from, int to) {
    double[] pr = new double[seq];
    double[] g = new double[seq];
    for (int r = from; r < to; r++) {
      p.get(r * seq, pr, 0, seq);
      d.get(r * seq, g, 0, seq);
      dropout.maskInPlace(r * seq, g, 0, seq);               // d(dropped P) → dP
      double dot = 0;
      for (int j = 0; j < seq; j++) {
        dot += pr[j] * g[j];
      }
      for (int j = 0; j < seq; j++) {
        g[j] = pr[j] * (g[j] - dot) * scale;
      }
      d.put(r * seq, g, 0, seq);
    }
  }

  /** The float twin of {@link #softmaxBackwardRows}, a (batch, head) block at a time as {@link #softmaxBlocksFloat}. */
  private void softmaxBackwardBlocksFloat(Flat p, Flat d, Dropout dropout, int fromBlock, int toBlock) {
    int size = seq * seq;
    float[] pr = new float[size];
    float[] g = new float[size];
    float scaleF = (float) scale;
    for (int block = fromBlock; block < toBlock; block++) {
      p.get(block * size, pr, 0, size);
      d.get(block * size, g, 0, size);
      dropout.maskInPlace(block * size, g, 0, size);         // d(dropped P) → dP
      for (int i = 0; i < seq; i++) {
        int o = i * seq;
        float dot = (float) Functions.dot(pr, g, o, o + seq);
        for (int j = 0; j < seq; j++) {
          g[o + j] = pr[o + j] * (g[o + j] - dot) * scaleF;
        }
      }
      d.put(block * size, g, 0, size);
    }
  }
}
