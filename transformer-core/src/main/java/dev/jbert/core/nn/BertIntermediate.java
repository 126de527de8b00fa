package dev.jbert.core.nn;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.kernel.Activation;
import dev.jbert.core.kernel.Linear;
import dev.jbert.core.param.ParameterScope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hugging Face's {@code BertIntermediate} ({@code intermediate}): {@code act(dense(x))}, the
 * feed-forward's up projection. Mirrors <a href="https://github.com/huggingface/transformers/blob/004ad5f50b627b59bf0d581c31bc0052b6cfd40b/src/transformers/models/bert/modeling_bert.py#L414">modeling_bert.py#L414</a>. Parameters
 * {@code dense.weight} [intermediate, hidden] and {@code dense.bias}.
 *
 * <p>The backward computes the activation's slope from the kept pre-activation ({@link
 * Activation#backward}). With inference buffers (no backward can follow) the activation runs in
 * place, at batch 1 as the epilogue of the packed product ({@link Projection#inference}).
 */
public final class BertIntermediate {

  private final ParameterScope.Linear dense;
  private final Activation activation;
  private final int hidden;
  private final int width;

  public BertIntermediate(ParameterScope s, BertConfig c) {
    this.hidden = c.hiddenSize();
    this.width = c.intermediateSize();
    this.dense = s.linear("dense", width, hidden);
    this.activation = Activation.of(c.hiddenAct());
  }

  /** What the forward keeps for the backward, and the backward's scratch, for one input shape. */
  public static final class Activations {
    private final Buffers buffers;
    private final int rows;
    final INDArray dense;          // [rows, intermediate] x Wᵀ, before the bias and the activation
    final INDArray out;            // [rows, intermediate]; dense itself when no backward follows
    INDArray input;                // [rows, hidden] x of the last forward
    private INDArray dDense;       // [rows, intermediate]
    private INDArray dInput;       // [rows, hidden]

    private Activations(Buffers b, int rows, int width) {
      this.buffers = b;
      this.rows = rows;
      this.dense = b.empty(rows, width);
      this.out = b.forwardOnly() ? dense : b.empty(rows, width);     // in place: 12.6 MB less for MiniLM at 32×64
    }
  }

  /** Buffers for {@code rows} tokens. */
  public Activations allocate(Buffers b, int rows) {
    return new Activations(b, rows, width);
  }

  /** x [rows, hidden] → act(x Wᵀ + b) [rows, intermediate]. */
  public INDArray forward(Activations a, INDArray x) {
    a.input = x;
    if (a.buffers.forwardOnly()) {                                      // out is dense: in place
      Projection.inference(a.out, x, dense, activation);
      return a.out;
    }
    Projection.forward(a.dense, x, dense.weight(), false);              // the bias is added by the activation
    activation.forward(a.out, a.dense, dense.bias().value());
    return a.out;
  }

  /** dout [rows, intermediate] → dx [rows, hidden]; accumulates the dense's gradients. */
  public INDArray backward(Activations a, INDArray dout) {
    if (a.dDense == null) {
      a.dDense = a.buffers.gradient(a.rows, width);
    }
    activation.backward(a.dDense, dout, a.dense, dense.bias().value());
    if (a.dInput == null) {
      a.dInput = a.buffers.gradient(a.rows, hidden);
    }
    Linear.backward(a.dInput, dense.weight().grad(), dense.bias().grad(), a.dDense, a.input, dense.weight().value());
    return a.dInput;
  }
}
