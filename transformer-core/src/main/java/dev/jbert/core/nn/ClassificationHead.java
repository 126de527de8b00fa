package dev.jbert.core.nn;

import dev.jbert.core.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The head of {@code BertForSequenceClassification}: dropout → {@code classifier} Linear. */
public final class ClassificationHead {

  private final Dropout dropout;
  private final Linear classifier;

  /** @param name the Linear's name, {@code "classifier"} in Hugging Face checkpoints */
  public ClassificationHead(Parameters p, String name, double dropoutProb, TrainingMode mode, Buffers buffers, int batch) {
    long hidden = p.shape(name + ".weight")[1];
    this.dropout = new Dropout(dropoutProb, mode, buffers, batch, hidden);
    this.classifier = Linear.of(p, name, buffers, batch);
  }

  /** pooled [batch, hidden] → logits [batch, numLabels]. */
  public INDArray forward(INDArray pooled) {
    return classifier.forward(dropout.forward(pooled));
  }

  /** dLogits [batch, numLabels] → dPooled [batch, hidden]; accumulates the classifier's gradients. */
  public INDArray backward(INDArray dLogits) {
    return dropout.backward(classifier.backward(dLogits));
  }
}
