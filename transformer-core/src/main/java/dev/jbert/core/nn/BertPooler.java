package dev.jbert.core.nn;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.kernel.FirstToken;
import dev.jbert.core.kernel.Flat;
import dev.jbert.core.kernel.Linear;
import dev.jbert.core.kernel.Tanh;
import dev.jbert.core.param.ParameterScope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hugging Face's {@code BertPooler} ({@code pooler}): the first token's hidden state → dense →
 * tanh. Mirrors <a href="https://github.com/huggingface/transformers/blob/004ad5f50b627b59bf0d581c31bc0052b6cfd40b/src/transformers/models/bert/modeling_bert.py#L623">modeling_bert.py#L623</a>. Parameters {@code dense.weight} [hidden, hidden] and
 * {@code dense.bias}.
 */
public final class BertPooler {

  private final ParameterScope.Linear dense;
  private final int hidden;

  public BertPooler(ParameterScope s, BertConfig c) {
    this.hidden = c.hiddenSize();
    this.dense = s.linear("dense", hidden, hidden);
  }

  /** What the forward keeps for the backward, and the backward's scratch, for one input shape. */
  public static final class Activations {
    private final Buffers buffers;
    private final int batch;
    private final int seq;
    final INDArray dense;          // [batch, hidden] cls Wᵀ, before the bias and the tanh
    final INDArray cls;            // [batch, hidden] each sequence's first token
    final INDArray pooled;         // [batch, hidden]
    private INDArray dDense;       // [batch, hidden]
    private INDArray dHidden;      // [batch·seq, hidden]
    private boolean otherRowsWritten; // whether dHidden's non-first-token rows hold a gradient (not zeros)
    private INDArray dCls;         // [batch, hidden]

    private Activations(Buffers b, int batch, int seq, int hidden) {
      this.buffers = b;
      this.batch = batch;
      this.seq = seq;
      this.dense = b.empty(batch, hidden);
      this.cls = b.empty(batch, hidden);
      this.pooled = b.empty(batch, hidden);
    }
  }

  /** Buffers for a batch of {@code batch} sequences of {@code seq} tokens. */
  public Activations allocate(Buffers b, int batch, int seq) {
    return new Activations(b, batch, seq, hidden);
  }

  /** hidden states [batch·seq, hidden] → pooled [batch, hidden] = tanh(hidden[:, 0] Wᵀ + b). */
  public INDArray forward(Activations a, INDArray hiddenStates) {
    FirstToken.forward(a.cls, hiddenStates, a.seq);
    Projection.forward(a.dense, a.cls, dense.weight(), a.buffers.forwardOnly());  // the bias is added by the tanh
    Tanh.forward(a.pooled, a.dense, dense.bias().value());
    return a.pooled;
  }

  /**
   * dPooled [batch, hidden] → d hidden states [batch·seq, hidden]: non-zero on first-token rows
   * only, plus {@code dOther}, the hidden states' gradient from their other consumer (or null).
   */
  public INDArray backward(Activations a, INDArray dPooled, INDArray dOther) {
    if (a.dHidden == null) {
      a.dDense = a.buffers.empty(a.batch, hidden);
      a.dHidden = a.buffers.zeros((long) a.batch * a.seq, hidden);     // rows other than first tokens stay 0
      a.dCls = a.buffers.gradient(a.batch, hidden);
    }
    Tanh.backward(a.dDense, dPooled, a.pooled);
    Linear.backward(a.dCls, dense.weight().grad(), dense.bias().grad(), a.dDense, a.cls, dense.weight().value());
    if (dOther != null) {
      a.dHidden.assign(dOther);
    } else if (a.otherRowsWritten) {
      Flat.zero(a.dHidden);
    }
    FirstToken.backward(a.dHidden, a.dCls, a.seq, dOther != null);
    a.otherRowsWritten = dOther != null;
    return a.dHidden;
  }
}
