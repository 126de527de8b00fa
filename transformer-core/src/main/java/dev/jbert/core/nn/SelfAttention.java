package dev.jbert.core.nn;

import dev.jbert.core.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BERT self-attention ({@code attention.self}): multi-head scaled dot-product attention with an
 * additive padding mask, returning the merged context [tokens, hidden] (the output projection is
 * {@link BertLayer}'s).
 *
 * <p>Q, K and V come from one fused projection: the query, key and value weights lie next to each
 * other in {@link Parameters}, so a [3·hidden, hidden] view over them is one GEMM. {@link HeadSplit}
 * splits it into heads [batch·heads, seq, headDim] while adding the fused bias; heads are multiplied
 * with rank-3 matmuls ({@link BatchedMatmul}); {@link AttentionSoftmax} applies scale, mask and softmax in place.
 */
public final class SelfAttention {

  /** {@code torch.finfo(torch.float32).min}: the additive mask of padded keys. */
  public static final double MASK_VALUE = -3.4028234663852886e38;

  private final Linear qkv;             // fused projection hidden → 3·hidden, without its bias
  private final HeadSplit split;        // → Q, K, V heads, adding the fused bias
  private final AttentionSoftmax softmax;
  private final Dropout probsDropout;
  private final Buffers buffers;
  private final int batch;
  private final int seq;
  private final int heads;
  private final int headDim;
  private final INDArray probs;         // [batch·heads, seq, seq]: scores, then softmax in place
  private final INDArray context;       // [batch·heads, seq, headDim]
  private final INDArray merged;        // [batch·seq, hidden]
  private INDArray droppedProbs;        // probs after dropout (probs itself in eval)
  private INDArray dContext;            // [batch·heads, seq, headDim]
  private INDArray dProbs;              // [batch·heads, seq, seq]
  private INDArray dq;                  // [batch·heads, seq, headDim]
  private INDArray dk;
  private INDArray dv;

  /**
   * @param prefix e.g. {@code "bert.encoder.layer.0.attention.self."}; its query, key and value
   *     weights and biases must be adjacent in {@code p} (query, key, value order)
   */
  public SelfAttention(Parameters p, String prefix, int heads, double attentionDropout, TrainingMode mode,
      Buffers buffers, int batch, int seq) {
    INDArray w = p.fusedValue(prefix + "query.weight", prefix + "key.weight", prefix + "value.weight");
    INDArray b = p.fusedValue(prefix + "query.bias", prefix + "key.bias", prefix + "value.bias");
    INDArray gw = p.fusedGrad(prefix + "query.weight", prefix + "key.weight", prefix + "value.weight");
    INDArray gb = p.fusedGrad(prefix + "query.bias", prefix + "key.bias", prefix + "value.bias");
    int hidden = (int) w.size(1);
    this.qkv = new Linear(w, null, gw, null, buffers, (long) batch * seq);
    this.buffers = buffers;
    this.batch = batch;
    this.seq = seq;
    this.heads = heads;
    this.headDim = hidden / heads;
    this.split = new HeadSplit(b, gb, buffers, batch, seq, heads, headDim);
    this.softmax = new AttentionSoftmax(buffers.dataType(), batch, heads, seq, headDim);
    long bh = (long) batch * heads;
    this.probs = buffers.zeros(bh, seq, seq);
    this.context = buffers.zeros(bh, seq, headDim);
    this.merged = buffers.zeros((long) batch * seq, hidden);
    this.probsDropout = new Dropout(attentionDropout, mode, buffers, bh, seq, seq);
  }

  /**
   * x [batch·seq, hidden] → context [batch·seq, hidden].
   *
   * @param maskAdd [batch·seq] added to the scores of each key: 0 for tokens, {@link #MASK_VALUE} for padding
   */
  public INDArray forward(INDArray x, double[] maskAdd) {
    split.forward(qkv.forward(x));                                     // x Wᵀ → Q, K, V (+ bias)
    BatchedMatmul.multiply(split.q(), split.k(), probs, false, true);      // scores = Q Kᵀ  [bh, seq, seq]
    droppedProbs = softmax.forward(probs, maskAdd, probsDropout);      // probs in place, then dropout
    BatchedMatmul.multiply(droppedProbs, split.v(), context, false, false); // [bh, seq, headDim]
    mergeHeads(context, merged);
    return merged;
  }

  /** dContext [batch·seq, hidden] → dx [batch·seq, hidden]; accumulates the Q, K, V parameter gradients. */
  public INDArray backward(INDArray dMerged) {
    if (dContext == null) {
      long bh = (long) batch * heads;
      dContext = buffers.gradient(bh, seq, headDim);
      dProbs = buffers.gradient(bh, seq, seq);
      dq = buffers.gradient(bh, seq, headDim);
      dk = buffers.gradient(bh, seq, headDim);
      dv = buffers.gradient(bh, seq, headDim);
    }
    splitMerged(dMerged, dContext);
    BatchedMatmul.multiply(dContext, split.v(), dProbs, false, true);  // d(dropped probs) = dC Vᵀ
    BatchedMatmul.multiply(droppedProbs, dContext, dv, true, false);   // dV = Pᵀ dC
    INDArray dScores = softmax.backward(dProbs, probsDropout);     // in place, dropout and 1/√d included
    BatchedMatmul.multiply(dScores, split.k(), dq, false, false);      // dQ = dS K
    BatchedMatmul.multiply(dScores, split.q(), dk, true, false);       // dK = dSᵀ Q
    return qkv.backward(split.backward(dq, dk, dv));               // dqkv (+ bias gradient) → dx
  }

  /** [batch·seq, hidden] → [batch·heads, seq, headDim]. */
  private void splitMerged(INDArray m, INDArray out) {
    INDArray src = m.reshape(batch, seq, heads, headDim).permute(0, 2, 1, 3);
    out.reshape(batch, heads, seq, headDim).assign(src);
  }

  /** [batch·heads, seq, headDim] → [batch·seq, hidden]. */
  private void mergeHeads(INDArray h, INDArray out) {
    out.reshape(batch, seq, heads, headDim).assign(h.reshape(batch, heads, seq, headDim).permute(0, 2, 1, 3));
  }
}
