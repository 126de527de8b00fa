package dev.jbert.finetune.fewshot;

import dev.jbert.core.kernel.Linear;
import dev.jbert.core.nn.CrossEntropyLoss;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multinomial logistic regression on fixed sentence embeddings, the head SetFit fits after its
 * contrastive stage (scikit-learn's {@code LogisticRegression}; C is the caller's, see {@code ContrastiveConfig}): it minimises
 * {@code mean_i CE(W x_i + b, y_i) + ‖W‖² / (2 C n)} (scikit-learn's {@code C Σ CE + ‖W‖²/2} divided by
 * {@code C n}; the bias is not penalised). The gradient is the classifier's own: the {@link Linear}
 * kernel's backward of {@link CrossEntropyLoss}'s gradient, plus {@code W / (C n)}. The problem is
 * smooth and strongly convex, so Nesterov's accelerated gradient with the fixed step {@code 1/L}
 * (L = ½ max‖(x, 1)‖² + 1/(C n), a bound of the Hessian) converges without a line search; in double.
 */
public final class LogisticRegressionHead {

  /**
   * The fitted classifier.
   *
   * @param weight [classes, width]
   * @param bias [classes]
   * @param loss the objective at the end
   */
  public record Fit(INDArray weight, INDArray bias, double loss) {}

  private LogisticRegressionHead() {}

  /**
   * @param features [n, width] one embedding per example (copied to double)
   * @param labels class of each example, in [0, classes)
   * @param classes number of classes (the head's outputs, also those with no example)
   * @param c inverse regularisation strength, > 0
   * @param iterations gradient steps
   */
  public static Fit fit(INDArray features, int[] labels, int classes, double c, int iterations) {
    int n = (int) features.size(0);
    int width = (int) features.size(1);
    if (labels.length != n || n == 0) {
      throw new IllegalArgumentException(labels.length + " labels for " + n + " feature rows");
    }
    INDArray x = features.castTo(DataType.DOUBLE).dup();
    double lambda = 1.0 / (c * n);
    double maxSquare = 0;
    for (int i = 0; i < n; i++) {
      double s = x.getRow(i).norm2Number().doubleValue();
      maxSquare = Math.max(maxSquare, s * s + 1);
    }
    double step = 1.0 / (0.5 * maxSquare + lambda);
    INDArray w = Nd4j.zeros(DataType.DOUBLE, classes, width);
    INDArray b = Nd4j.zeros(DataType.DOUBLE, classes);
    INDArray wPrev = w.dup();
    INDArray bPrev = b.dup();
    INDArray yW = w.dup();
    INDArray yB = b.dup();
    INDArray logits = Nd4j.zeros(DataType.DOUBLE, n, classes);
    INDArray dLogits = Nd4j.zeros(DataType.DOUBLE, n, classes);
    INDArray dx = Nd4j.zeros(DataType.DOUBLE, n, width);
    INDArray dW = Nd4j.zeros(DataType.DOUBLE, classes, width);
    INDArray dB = Nd4j.zeros(DataType.DOUBLE, classes);
    CrossEntropyLoss ce = new CrossEntropyLoss(null, 0.0);
    for (int t = 1; t <= iterations; t++) {
      // gradient at the look-ahead point y
      Linear.forward(logits, x, yW, yB);
      ce.forward(logits, labels);
      ce.backward(dLogits);
      dW.assign(0);
      dB.assign(0);
      Linear.backward(dx, dW, dB, dLogits, x, yW);
      dW.addi(yW.mul(lambda));
      wPrev.assign(w);
      bPrev.assign(b);
      w.assign(yW.sub(dW.mul(step)));
      b.assign(yB.sub(dB.mul(step)));
      double momentum = (t - 1.0) / (t + 2.0);
      yW.assign(w.add(w.sub(wPrev).mul(momentum)));
      yB.assign(b.add(b.sub(bPrev).mul(momentum)));
    }
    return new Fit(w, b, objective(x, labels, w, b, lambda));
  }

  /** The objective at (w, b): mean cross-entropy plus {@code λ ‖w‖² / 2}. */
  static double objective(INDArray x, int[] labels, INDArray w, INDArray b, double lambda) {
    INDArray logits = Nd4j.zeros(DataType.DOUBLE, x.size(0), w.size(0));
    Linear.forward(logits, x, w, b);
    double norm = w.norm2Number().doubleValue();
    return new CrossEntropyLoss(null, 0.0).forward(logits, labels) + lambda * norm * norm / 2;
  }
}
