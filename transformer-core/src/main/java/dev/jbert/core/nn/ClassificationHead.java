package dev.jbert.core.nn;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.kernel.DropoutMask;
import dev.jbert.core.kernel.Linear;
import dev.jbert.core.param.ParameterScope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The head of Hugging Face's {@code BertForSequenceClassification}: dropout, then the
 * {@code classifier} Linear [numLabels, hidden] on the pooled output. Mirrors
 * <a href="https://github.com/huggingface/transformers/blob/004ad5f50b627b59bf0d581c31bc0052b6cfd40b/src/transformers/models/bert/modeling_bert.py#L1488-L1489">modeling_bert.py#L1488-L1489</a>.
 */
public final class ClassificationHead {

  /** The Linear's name in Hugging Face checkpoints. */
  public static final String NAME = "classifier";

  private final ParameterScope.Linear classifier;
  private final double dropoutProb;
  private final TrainingMode mode;
  private final int hidden;
  private final int labels;

  /** Declares {@code classifier.weight} [numLabels, hidden] and {@code classifier.bias} in {@code s}. */
  public ClassificationHead(ParameterScope s, BertConfig c, TrainingMode mode) {
    this.hidden = c.hiddenSize();
    this.labels = c.numLabels();
    this.classifier = s.linear(NAME, labels, hidden);
    this.dropoutProb = c.effectiveClassifierDropout();
    this.mode = mode;
  }

  /** What the forward keeps for the backward, and the backward's scratch, for one batch size. */
  public static final class Activations {
    private final Buffers buffers;
    private final int batch;
    final INDArray logits;         // [batch, numLabels]
    INDArray input;                // [batch, hidden] the classifier's input of the last forward
    DropoutMask mask;              // the dropout of the last forward, null if none acted
    private INDArray dropped;      // [batch, hidden] allocated by the first forward that drops
    private INDArray dInput;       // [batch, hidden]
    private INDArray dPooled;      // [batch, hidden]

    private Activations(Buffers b, int batch, int hidden, int labels) {
      this.buffers = b;
      this.batch = batch;
      this.logits = b.empty(batch, labels);
    }
  }

  /** Buffers for {@code batch} sequences. */
  public Activations allocate(Buffers b, int batch) {
    return new Activations(b, batch, hidden, labels);
  }

  /** pooled [batch, hidden] → logits [batch, numLabels]. */
  public INDArray forward(Activations a, INDArray pooled) {
    a.mask = mode.drawMask(dropoutProb);
    a.input = pooled;
    if (a.mask != null) {
      if (a.dropped == null) {
        a.dropped = a.buffers.empty(a.batch, hidden);
      }
      DropoutMask.apply(a.dropped, pooled, a.mask);
      a.input = a.dropped;
    }
    Linear.forward(a.logits, a.input, classifier.weight().value(), classifier.bias().value());
    return a.logits;
  }

  /** dLogits [batch, numLabels] → dPooled [batch, hidden]; accumulates the classifier's gradients. */
  public INDArray backward(Activations a, INDArray dLogits) {
    if (a.dInput == null) {
      a.dInput = a.buffers.gradient(a.batch, hidden);
    }
    Linear.backward(a.dInput, classifier.weight().grad(), classifier.bias().grad(), dLogits, a.input,
        classifier.weight().value());
    if (a.mask == null) {
      return a.dInput;
    }
    if (a.dPooled == null) {
      a.dPooled = a.buffers.gradient(a.batch, hidden);
    }
    DropoutMask.apply(a.dPooled, a.dInput, a.mask);
    return a.dPooled;
  }
}
