package dev.jbert.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The softmax of attention scores with the 1/√d scale and the additive key mask fused in, in place
 * over [batch·heads, seq, seq]: {@code P[r, j] = softmax_j(S[r, j] / √d + maskAdd[b, j])} for row
 * r = (b·heads + h)·seq + i. Backward: {@code dS = P ⊙ (dP − Σ_j P·dP) / √d}, also in place, with the
 * backward of the dropout on P fused in.
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
   * Scores → probabilities in place; the array is kept for the backward pass.
   *
   * @param maskAdd [batch·seq]: 0 for tokens, {@link SelfAttention#MASK_VALUE} for padded keys
   */
  public INDArray forward(INDArray scores, double[] maskAdd) {
    this.probs = scores;
    this.maskAdd = maskAdd;
    Flat p = Flat.of(scores);
    int rows = batch * heads * seq;
    if (exact) {
      Parallel.rows(rows, 256, (part, from, to) -> softmaxRows(p, from, to));
    } else {
      float[] mask = Functions.toFloats(maskAdd);
      Parallel.rows(batch * heads, 4, (part, from, to) -> softmaxBlocksFloat(p, mask, from, to));
    }
    return scores;
  }

  private void softmaxRows(Flat p, int from, int to) {
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
    }
  }

  /**
   * The float twin of {@link #softmaxRows}, one (batch, head) block of seq rows at a time: the exp
   * runs over the whole block, because HotSpot leaves loops as short as one row (64 at seq 64)
   * mostly in their scalar pre- and post-loops (MiniLM 32×64, six layers: 23 → 18 ms a step).
   */
  private void softmaxBlocksFloat(Flat p, float[] mask, int fromBlock, int toBlock) {
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
      dropout.backwardInPlace(r * seq, g, 0, seq);               // d(dropped P) → dP
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
      dropout.backwardInPlace(block * size, g, 0, size);         // d(dropped P) → dP
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
