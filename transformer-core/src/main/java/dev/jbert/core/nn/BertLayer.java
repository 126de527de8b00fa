package dev.jbert.core.nn;

import dev.jbert.core.BertConfig;
import dev.jbert.core.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One post-LayerNorm transformer block ({@code encoder.layer.i}):
 * <pre>
 *   a = LN(x + dropout(dense_o(selfAttention(x))))      attention.output
 *   y = LN(a + dropout(dense_2(act(dense_1(a)))))        intermediate, output
 * </pre>
 * Each dropout runs inside the LayerNorm kernels that follow it, forward and backward.
 */
public final class BertLayer {

  private final SelfAttention attention;
  private final Linear attentionDense;
  private final Dropout attentionDropout;
  private final LayerNorm attentionNorm;
  private final Linear intermediate;
  private final Activation activation;
  private final Linear output;
  private final Dropout outputDropout;
  private final LayerNorm outputNorm;

  /** @param prefix e.g. {@code "bert.encoder.layer.3."} */
  public BertLayer(BertConfig c, Parameters p, String prefix, TrainingMode mode, Buffers buffers, int batch, int seq) {
    int rows = batch * seq;
    this.attention = new SelfAttention(p, prefix + "attention.self.", c.numAttentionHeads(),
        c.attentionProbsDropoutProb(), mode, buffers, batch, seq);
    this.attentionDense = Linear.of(p, prefix + "attention.output.dense", buffers, rows);
    this.attentionDropout = new Dropout(c.hiddenDropoutProb(), mode, buffers, rows, c.hiddenSize());
    this.attentionNorm = LayerNorm.of(p, prefix + "attention.output.LayerNorm", c.layerNormEps(), buffers, rows);
    this.intermediate = Linear.of(p, prefix + "intermediate.dense", buffers, rows);
    this.activation = Activation.create(c.hiddenAct(), buffers, rows, c.intermediateSize(), mode);
    this.output = Linear.of(p, prefix + "output.dense", buffers, rows);
    this.outputDropout = new Dropout(c.hiddenDropoutProb(), mode, buffers, rows, c.hiddenSize());
    this.outputNorm = LayerNorm.of(p, prefix + "output.LayerNorm", c.layerNormEps(), buffers, rows);
  }

  /** x [batch·seq, hidden] → y [batch·seq, hidden]; {@code maskAdd} as in {@link SelfAttention#forward}. */
  public INDArray forward(INDArray x, double[] maskAdd) {
    INDArray context = attention.forward(x, maskAdd);
    INDArray a = attentionNorm.forward(attentionDense.forward(context), x, attentionDropout);
    INDArray h = activation.forward(intermediate.forward(a));                 // [batch·seq, intermediate]
    return outputNorm.forward(output.forward(h), a, outputDropout);
  }

  /** dy [batch·seq, hidden] → dx [batch·seq, hidden]; accumulates every parameter gradient of the block. */
  public INDArray backward(INDArray dy) {
    INDArray dSum2 = outputNorm.backward(dy);                      // d(output branch + a)
    INDArray dh = output.backward(outputNorm.xGradient());         // through the output dropout
    INDArray da = intermediate.backward(activation.backward(dh));
    INDArray dSum1 = attentionNorm.backward(da, dSum2);            // d(attention branch + x), dSum2: residual into a
    INDArray dContext = attentionDense.backward(attentionNorm.xGradient());
    INDArray dx = attention.backward(dContext);
    return dx.addi(dSum1);                                         // the residual path into x
  }
}
