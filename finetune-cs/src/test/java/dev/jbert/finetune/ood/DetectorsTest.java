package dev.jbert.finetune.ood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.stat.correlation.Covariance;
import org.junit.jupiter.api.Test;

class DetectorsTest {

  @Test
  void energyIsTemperatureTimesLogSumExpOfScaledLogits() {
    float[] z = {1, 2, 3};
    assertEquals(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)), new EnergyDetector(1).score(z, null), 1e-12);
    assertEquals(2 * Math.log(Math.exp(0.5) + Math.exp(1) + Math.exp(1.5)), new EnergyDetector(2).score(z, null), 1e-12);
    // large logits: no overflow
    assertEquals(1000 + Math.log(1 + Math.exp(-1)), new EnergyDetector(1).score(new float[] {1000, 999}, null), 1e-9);
  }

  @Test
  void softmaxDetectorIsTheTopProbabilityAtTheTemperature() {
    float[] z = {1, 2, 3};
    assertEquals(Math.exp(1.5) / (Math.exp(0.5) + Math.exp(1) + Math.exp(1.5)), new SoftmaxDetector(2).score(z, null), 1e-12);
  }

  /** Two Gaussian classes in 3-d: the detector against commons-math's covariance and an LU inverse. */
  @Test
  void mahalanobisMatchesADirectComputation() {
    Random random = new Random(3);
    int n = 200;
    float[][] x = new float[n][3];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2 == 0 ? 0 : 5; // class ids need not be 0..C-1
      double shift = y[i] == 0 ? -2 : 2;
      x[i][0] = (float) (shift + random.nextGaussian());
      x[i][1] = (float) (0.5 * random.nextGaussian() + 0.3 * x[i][0]);
      x[i][2] = (float) (2 * random.nextGaussian());
    }
    double[][] mu = new double[2][3];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 3; j++) {
        mu[y[i] == 0 ? 0 : 1][j] += x[i][j] / (n / 2.0);
      }
    }
    double[][] centred = new double[n][3];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 3; j++) {
        centred[i][j] = x[i][j] - mu[y[i] == 0 ? 0 : 1][j];
      }
    }
    RealMatrix cov = new Covariance(centred, false).getCovarianceMatrix(); // divides by n, as the detector
    // the centred rows have mean 0 per class, so commons-math's own centring changes nothing
    double lambda = MahalanobisDetector.SHRINKAGE * cov.getTrace() / 3;
    RealMatrix precision = new LUDecomposition(cov.add(MatrixUtils.createRealIdentityMatrix(3).scalarMultiply(lambda)))
        .getSolver().getInverse();
    MahalanobisDetector detector = MahalanobisDetector.fit(x, y);
    float[] q = {0.4f, -1.0f, 3.0f};
    double best = Double.POSITIVE_INFINITY;
    for (double[] m : mu) {
      RealVector d = MatrixUtils.createRealVector(new double[] {q[0] - m[0], q[1] - m[1], q[2] - m[2]});
      best = Math.min(best, d.dotProduct(precision.operate(d)));
    }
    assertEquals(-best, detector.score(null, q), 1e-5 * best);
    assertThrows(IllegalArgumentException.class, () -> detector.score(null, new float[2]));
  }

  @Test
  void knnIsTheCosineDistanceToTheKthNeighbour() {
    float[][] bank = {{1, 0}, {0, 3}, {2, 2}};
    float[] q = {5, 0};
    // similarities 1, 0, 0.7071: the 2nd nearest is (2, 2)
    assertEquals(-(1 - Math.sqrt(0.5)), new KnnDetector(bank, 2).score(null, q), 1e-6);
    assertEquals(0, new KnnDetector(bank, 1).score(null, q), 1e-7);
    assertEquals(-1, new KnnDetector(bank, 3).score(null, q), 1e-7);
    assertThrows(IllegalArgumentException.class, () -> new KnnDetector(bank, 4));
  }
}
