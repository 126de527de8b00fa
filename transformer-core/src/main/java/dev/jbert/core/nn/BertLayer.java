package dev.jbert.core.nn;

import dev.jbert.core.BertConfig;
import dev.jbert.core.ParameterScope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hugging Face's {@code BertLayer} ({@code encoder.layer.i}), one post-LayerNorm transformer block
 * (HF's {@code BertAttention} is the pair {@code attention.self}, {@code attention.output}). Mirrors
 * <a href="https://github.com/huggingface/transformers/blob/004ad5f50b627b59bf0d581c31bc0052b6cfd40b/src/transformers/models/bert/modeling_bert.py#L443">modeling_bert.py#L443</a>.
 * <pre>
 *   a = LN(x + dropout(dense(selfAttention(x))))      attention.self, attention.output
 *   y = LN(a + dropout(dense(act(dense(a)))))          intermediate, output
 * </pre>
 */
public final class BertLayer {

  private final BertSelfAttention attentionSelf;
  private final BertSelfOutput attentionOutput;
  private final BertIntermediate intermediate;
  private final BertOutput output;

  /** @param s the layer's scope, e.g. {@code encoder.layer.3} */
  public BertLayer(ParameterScope s, BertConfig c, TrainingMode mode) {
    ParameterScope attention = s.pp("attention");
    this.attentionSelf = new BertSelfAttention(attention.pp("self"), c, mode);
    this.attentionOutput = new BertSelfOutput(attention.pp("output"), c, mode);
    this.intermediate = new BertIntermediate(s.pp("intermediate"), c);
    this.output = new BertOutput(s.pp("output"), c, mode);
  }

  /** The activations of the four modules for one input shape. */
  public record Activations(BertSelfAttention.Activations attentionSelf, DenseDropoutNorm.Activations attentionOutput,
      BertIntermediate.Activations intermediate, DenseDropoutNorm.Activations output) {}

  /** Buffers for a batch of {@code batch} sequences of {@code seq} tokens. */
  public Activations allocate(Buffers b, int batch, int seq) {
    int rows = batch * seq;
    return new Activations(attentionSelf.allocate(b, batch, seq), attentionOutput.allocate(b, rows),
        intermediate.allocate(b, rows), output.allocate(b, rows));
  }

  /** x [batch·seq, hidden] → y [batch·seq, hidden]; {@code maskAdd} as in {@link BertSelfAttention#forward}. */
  public INDArray forward(Activations a, INDArray x, double[] maskAdd) {
    INDArray context = attentionSelf.forward(a.attentionSelf(), x, maskAdd);
    INDArray attended = attentionOutput.forward(a.attentionOutput(), context, x);
    INDArray h = intermediate.forward(a.intermediate(), attended);
    return output.forward(a.output(), h, attended);
  }

  /** dy [batch·seq, hidden] → dx [batch·seq, hidden]; accumulates every parameter gradient of the block. */
  public INDArray backward(Activations a, INDArray dy) {
    DenseDropoutNorm.Gradients out = output.backward(a.output(), dy, null);
    INDArray dAttended = intermediate.backward(a.intermediate(), out.dInput());
    // attended feeds both the feed-forward and the output's residual: their gradients are summed
    DenseDropoutNorm.Gradients att = attentionOutput.backward(a.attentionOutput(), dAttended, out.dResidual());
    INDArray dx = attentionSelf.backward(a.attentionSelf(), att.dInput());
    return dx.addi(att.dResidual());                                  // the residual path into x
  }
}
