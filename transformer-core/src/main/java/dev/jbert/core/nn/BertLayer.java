package dev.jbert.core.nn;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.kernel.FirstToken;
import dev.jbert.core.param.ParameterScope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hugging Face's {@code BertLayer} ({@code encoder.layer.i}), one post-LayerNorm transformer block
 * (HF's {@code BertAttention} is the pair {@code attention.self}, {@code attention.output}). Mirrors
 * <a href="https://github.com/huggingface/transformers/blob/004ad5f50b627b59bf0d581c31bc0052b6cfd40b/src/transformers/models/bert/modeling_bert.py#L443">modeling_bert.py#L443</a>.
 * <pre>
 *   a = LN(x + dropout(dense(selfAttention(x))))      attention.self, attention.output
 *   y = LN(a + dropout(dense(act(dense(a)))))          intermediate, output
 * </pre>
 * A layer may compute y for each sequence's first token only: the last layer of a classifier whose
 * pooler reads nothing else (its keys and values are still every token's, so y is the same). That
 * skips most of the layer's products: for bert-base at 32×64, 22 of its 24.5 GFLOP forward.
 */
public final class BertLayer {

  private final BertSelfAttention attentionSelf;
  private final BertSelfOutput attentionOutput;
  private final BertIntermediate intermediate;
  private final BertOutput output;
  private final int hidden;

  /** @param s the layer's scope, e.g. {@code encoder.layer.3} */
  public BertLayer(ParameterScope s, BertConfig c, TrainingMode mode) {
    ParameterScope attention = s.pp("attention");
    this.attentionSelf = new BertSelfAttention(attention.pp("self"), c, mode);
    this.attentionOutput = new BertSelfOutput(attention.pp("output"), c, mode);
    this.intermediate = new BertIntermediate(s.pp("intermediate"), c);
    this.output = new BertOutput(s.pp("output"), c, mode);
    this.hidden = c.hiddenSize();
  }

  /**
   * The activations of the four modules for one input shape.
   *
   * @param seq tokens per sequence
   * @param firstTokens [batch, hidden] each sequence's first x (the residual) when only first tokens
   *     are computed, else null
   */
  public record Activations(int seq, INDArray firstTokens, BertSelfAttention.Activations attentionSelf,
      DenseDropoutNorm.Activations attentionOutput, BertIntermediate.Activations intermediate,
      DenseDropoutNorm.Activations output) {}

  /**
   * Buffers for a batch of {@code batch} sequences of {@code seq} tokens; with {@code firstTokenOnly}
   * the layer computes each sequence's first token only.
   */
  public Activations allocate(Buffers b, int batch, int seq, boolean firstTokenOnly) {
    int rows = firstTokenOnly ? batch : batch * seq;                  // rows of the output
    return new Activations(seq, firstTokenOnly ? b.empty(batch, hidden) : null,
        attentionSelf.allocate(b, batch, seq, firstTokenOnly ? 1 : seq), attentionOutput.allocate(b, rows),
        intermediate.allocate(b, rows), output.allocate(b, rows));
  }

  /**
   * x [batch·seq, hidden] → y [batch·seq, hidden], or [batch, hidden] when allocated for first
   * tokens only; {@code maskAdd} as in {@link BertSelfAttention#forward}.
   */
  public INDArray forward(Activations a, INDArray x, double[] maskAdd) {
    INDArray residual = x;
    if (a.firstTokens() != null) {
      FirstToken.forward(a.firstTokens(), x, a.seq());
      residual = a.firstTokens();
    }
    INDArray context = attentionSelf.forward(a.attentionSelf(), x, maskAdd);
    INDArray attended = attentionOutput.forward(a.attentionOutput(), context, residual);
    INDArray h = intermediate.forward(a.intermediate(), attended);
    return output.forward(a.output(), h, attended);
  }

  /** dy (y's shape) → dx [batch·seq, hidden]; accumulates every parameter gradient of the block. */
  public INDArray backward(Activations a, INDArray dy) {
    DenseDropoutNorm.Gradients out = output.backward(a.output(), dy, null);
    INDArray dAttended = intermediate.backward(a.intermediate(), out.dInput());
    // attended feeds both the feed-forward and the output's residual: their gradients are summed
    DenseDropoutNorm.Gradients att = attentionOutput.backward(a.attentionOutput(), dAttended, out.dResidual());
    INDArray dx = attentionSelf.backward(a.attentionSelf(), att.dInput());
    if (a.firstTokens() != null) {                                    // the residual path into first tokens
      FirstToken.backward(dx, att.dResidual(), a.seq(), true);
      return dx;
    }
    return dx.addi(att.dResidual());                                  // the residual path into x
  }
}
