package dev.jbert.finetune.fewshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The head fit reaches the minimum of its objective (zero gradient, checked by finite differences) and separates the classes. */
class LogisticRegressionHeadTest {

  @Test
  void fitReachesAStationaryPointOfTheRegularisedObjective() {
    int n = 60;
    int width = 5;
    int classes = 3;
    Random r = new Random(3);
    INDArray x = Nd4j.zeros(DataType.DOUBLE, n, width);
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % classes;
      for (int j = 0; j < width; j++) {
        x.putScalar(i, j, r.nextGaussian() * 0.3 + (j == y[i] ? 1.0 : 0.0));
      }
    }
    double c = 1.0;
    LogisticRegressionHead.Fit fit = LogisticRegressionHead.fit(x, y, classes, c, 3000);
    double lambda = 1.0 / (c * n);
    assertEquals(LogisticRegressionHead.objective(x, y, fit.weight(), fit.bias(), lambda), fit.loss(), 1e-12);
    // at the minimum every partial derivative of the objective is ~0
    double h = 1e-6;
    for (INDArray p : new INDArray[] {fit.weight(), fit.bias()}) {
      for (int k = 0; k < p.length(); k++) {
        double v = p.getDouble(k);
        p.putScalar(k, v + h);
        double up = LogisticRegressionHead.objective(x, y, fit.weight(), fit.bias(), lambda);
        p.putScalar(k, v - h);
        double down = LogisticRegressionHead.objective(x, y, fit.weight(), fit.bias(), lambda);
        p.putScalar(k, v);
        assertEquals(0.0, (up - down) / (2 * h), 1e-5, "d objective / d parameter " + k);
      }
    }
    INDArray logits = x.mmul(fit.weight().transpose()).addRowVector(fit.bias());
    int correct = 0;
    for (int i = 0; i < n; i++) {
      correct += logits.getRow(i).argMax().getInt(0) == y[i] ? 1 : 0;
    }
    assertTrue(correct >= 57, correct + " of " + n);
    // a smaller C regularises more: smaller weights
    double strong = LogisticRegressionHead.fit(x, y, classes, 0.01, 3000).weight().norm2Number().doubleValue();
    assertTrue(strong < fit.weight().norm2Number().doubleValue());
  }
}
