package dev.jbert.core.nn;

import dev.jbert.core.kernel.Flat;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code torch.nn.CrossEntropyLoss} with mean reduction, optional class weights and label
 * smoothing, on logits [batch, classes] and integer labels:
 * <pre>
 *   nll_b    = −log p_b[y_b]               smooth_b = −Σ_c w_c log p_b[c]   (w = 1 without weights)
 *   loss     = (1 − ε) Σ_b w_{y_b} nll_b / W  +  (ε / C) Σ_b smooth_b / W,    W = Σ_b w_{y_b}
 * </pre>
 * (without weights W = batch). The gradient w.r.t. the logits is
 * {@code [(1 − ε) w_{y_b} (p_b − onehot(y_b)) + (ε / C)(p_b Σ_c w_c − w)] / W}.
 */
public final class CrossEntropyLoss {

  private final double[] classWeights;   // [classes] or null
  private final double labelSmoothing;
  private double[] probs;                 // [batch·classes] softmax of the last logits
  private int[] labels;                   // [batch]
  private int classes;
  private double total;                   // W

  /**
   * @param classWeights one weight per class, or null for none
   * @param labelSmoothing ε in [0, 1]
   */
  public CrossEntropyLoss(double[] classWeights, double labelSmoothing) {
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new IllegalArgumentException("label smoothing must be in [0, 1], got " + labelSmoothing);
    }
    if (classWeights != null) {
      for (int c = 0; c < classWeights.length; c++) {
        if (!(classWeights[c] >= 0) || Double.isInfinite(classWeights[c])) {
          throw new IllegalArgumentException("class weight " + c + " must be finite and non-negative, got " + classWeights[c]);
        }
      }
    }
    this.classWeights = classWeights == null ? null : classWeights.clone();
    this.labelSmoothing = labelSmoothing;
  }

  /** Mean loss over the batch for logits [batch, classes] and labels in [0, classes). */
  public double forward(INDArray logits, int[] labels) {
    int batch = (int) logits.size(0);
    classes = (int) logits.size(1);
    if (labels.length != batch) {
      throw new IllegalArgumentException(labels.length + " labels for a batch of " + batch);
    }
    if (classWeights != null && classWeights.length != classes) {
      throw new IllegalArgumentException(classWeights.length + " class weights for " + classes + " classes");
    }
    for (int b = 0; b < batch; b++) {
      if (labels[b] < 0 || labels[b] >= classes) {
        throw new IllegalArgumentException("label " + labels[b] + " at batch index " + b + " is outside [0, " + classes + ")");
      }
    }
    this.labels = labels.clone();
    double[] logP = LogSoftmax.rows(Flat.of(logits).toArray(), classes);
    probs = new double[logP.length];
    double nllSum = 0;
    double smoothSum = 0;
    total = 0;
    for (int b = 0; b < batch; b++) {
      int off = b * classes;
      double smooth = 0;
      for (int c = 0; c < classes; c++) {
        probs[off + c] = Math.exp(logP[off + c]);
        smooth -= weight(c) * logP[off + c];
      }
      double wy = weight(labels[b]);
      nllSum -= wy * logP[off + labels[b]];
      smoothSum += smooth;
      total += wy;
    }
    return (1 - labelSmoothing) * nllSum / total + labelSmoothing / classes * smoothSum / total;
  }

  /** Writes d loss / d logits [batch, classes] for the last forward into {@code dLogits}. */
  public void backward(INDArray dLogits) {
    double weightSum = 0;
    for (int c = 0; c < classes; c++) {
      weightSum += weight(c);
    }
    double[] g = new double[probs.length];
    for (int b = 0; b < labels.length; b++) {
      int off = b * classes;
      double wy = weight(labels[b]);
      for (int c = 0; c < classes; c++) {
        double p = probs[off + c];
        double nll = wy * (p - (c == labels[b] ? 1 : 0));
        double smooth = p * weightSum - weight(c);
        g[off + c] = ((1 - labelSmoothing) * nll + labelSmoothing / classes * smooth) / total;
      }
    }
    Flat.of(dLogits).put(0, g, 0, g.length);
  }

  private double weight(int c) {
    return classWeights == null ? 1.0 : classWeights[c];
  }

  @Override
  public String toString() {
    return "CrossEntropyLoss[weights=" + Arrays.toString(classWeights) + ", labelSmoothing=" + labelSmoothing + "]";
  }
}
