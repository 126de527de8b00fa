package dev.jbert.core.nn;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.kernel.Attention;
import dev.jbert.core.kernel.DropoutMask;
import dev.jbert.core.kernel.FusedAttention;
import dev.jbert.core.kernel.Linear;
import dev.jbert.core.param.ParameterScope;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hugging Face's {@code BertSelfAttention} ({@code attention.self}): multi-head scaled dot-product
 * attention with an additive padding mask, returning the merged context [tokens, hidden] (the
 * output projection is {@link BertSelfOutput}'s). Mirrors <a href="https://github.com/huggingface/transformers/blob/004ad5f50b627b59bf0d581c31bc0052b6cfd40b/src/transformers/models/bert/modeling_bert.py#L227">modeling_bert.py#L227</a>; the math,
 * forward and backward, is {@link Attention}.
 *
 * <p>Q, K and V come from one fused projection: {@code query}, {@code key} and {@code value} are
 * declared as adjacent tensors ({@link ParameterScope#fused}), so their weights are one [3·hidden,
 * hidden] GEMM operand and their biases one [3·hidden] vector.
 */
public final class BertSelfAttention {

  private static final List<String> QKV = List.of("query", "key", "value");

  private final ParameterScope.Tensor qkvWeight;   // [3·hidden, hidden]
  private final ParameterScope.Tensor qkvBias;     // [3·hidden]
  private final int hidden;
  private final int heads;
  private final double dropoutProb;
  private final TrainingMode mode;

  public BertSelfAttention(ParameterScope s, BertConfig c, TrainingMode mode) {
    this.hidden = c.hiddenSize();
    this.heads = c.numAttentionHeads();
    this.qkvWeight = s.fused(QKV, "weight", hidden, hidden);
    this.qkvBias = s.fused(QKV, "bias", hidden);
    this.dropoutProb = c.attentionProbsDropoutProb();
    this.mode = mode;
  }

  /** What the forward keeps for the backward, and the backward's scratch, for one input shape. */
  public static final class Activations {
    private final Buffers buffers;
    private final long rows;
    private final int seq;
    private final long[] probsShape;    // [batch·heads, queries, seq]
    final INDArray qkv;                 // [rows, 3·hidden] x Wᵀ; Q, K, V once the batched path adds the bias
    INDArray probs;                     // softmax(Q Kᵀ / √d + mask), allocated by the first batched forward
    final INDArray out;                 // [batch·queries, hidden] the merged context
    final boolean fusable;              // no backward follows and the fused kernel runs these heads
    INDArray input;                     // [rows, hidden] x of the last forward
    DropoutMask mask;                   // the dropout on P of the last forward, null if none acted
    private INDArray dropped;           // P after dropout, allocated by the first forward that drops
    private INDArray dProbs;
    private INDArray dqkv;              // [rows, 3·hidden]
    private INDArray dInput;            // [rows, hidden]

    private Activations(Buffers b, int batch, int seq, int queries, int hidden, int heads) {
      this.buffers = b;
      this.rows = (long) batch * seq;
      this.seq = seq;
      this.probsShape = new long[] {(long) batch * heads, queries, seq};
      // a backward reads Q, K and V in the projection: kept unless none can follow
      this.qkv = b.forwardOnly() ? b.scratch(rows, 3L * hidden) : b.empty(rows, 3L * hidden);
      this.out = b.empty((long) batch * queries, hidden);
      this.fusable = b.forwardOnly() && queries == seq && FusedAttention.supports(b.dataType(), hidden / heads);
    }
  }

  /**
   * Buffers for a batch of {@code batch} sequences of {@code seq} tokens, of which the first
   * {@code queries} of each ask (seq: all; 1: the first token only, see {@link Attention}).
   */
  public Activations allocate(Buffers b, int batch, int seq, int queries) {
    return new Activations(b, batch, seq, queries, hidden, heads);
  }

  /**
   * x [batch·seq, hidden] → context [batch·queries, hidden].
   *
   * @param maskAdd [batch·seq] added to the scores of each key: 0 for tokens, {@link Attention#MASK_VALUE} for padding
   */
  public INDArray forward(Activations a, INDArray x, double[] maskAdd) {
    a.input = x;
    Projection.forward(a.qkv, x, qkvWeight, a.buffers.forwardOnly());     // the bias is added by the attention
    a.mask = mode.drawMask(dropoutProb);
    if (a.mask == null && a.fusable) {                                     // no dropout acted
      FusedAttention.forward(a.out, a.qkv, qkvBias.value(), maskAdd, heads, a.seq);   // nothing to save
      return a.out;
    }
    if (a.probs == null) {                                                 // the first batched forward
      a.probs = a.buffers.empty(a.probsShape);
    }
    if (a.mask != null && a.dropped == null) {
      a.dropped = a.buffers.empty(a.probsShape);
    }
    Attention.forward(a.out, a.probs, a.dropped, a.qkv, qkvBias.value(), maskAdd, heads, a.mask);
    return a.out;
  }

  /** dout [batch·queries, hidden] → dx [batch·seq, hidden]; accumulates the query, key and value gradients. */
  public INDArray backward(Activations a, INDArray dout) {
    if (a.dProbs == null) {
      a.dProbs = a.buffers.gradient(a.probsShape);
      a.dqkv = a.buffers.gradient(a.rows, 3L * hidden);
      a.dInput = a.buffers.gradient(a.rows, hidden);
    }
    Attention.backward(a.dqkv, qkvBias.grad(), a.dProbs, dout, a.qkv, a.probs, a.dropped, heads, a.mask);
    Linear.backward(a.dInput, qkvWeight.grad(), null, a.dqkv, a.input, qkvWeight.value());
    return a.dInput;
  }
}
