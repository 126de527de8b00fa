package dev.jbert.core.nn;

import static dev.jbert.core.nn.FiniteDifferences.assertGradient;
import static dev.jbert.core.nn.FiniteDifferences.assertParameterGradients;
import static dev.jbert.core.nn.FiniteDifferences.dot;
import static dev.jbert.core.nn.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbert.core.kernel.LayerNorm;
import dev.jbert.core.param.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LayerNormTest {

  private static Parameters params() {
    Parameters p = Parameters.builder().add("ln.weight", 6).add("ln.bias", 6).build(DataType.DOUBLE);
    FiniteDifferences.randomize(p, 11, 0.3);
    return p;
  }

  @Test
  void forwardNormalisesWithBiasedVarianceAndEpsInsideTheRoot() {
    Parameters p = params();
    double eps = 1e-3; // large enough to be visible
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Ops.LayerNormOp ln = Ops.LayerNormOp.of(p, "ln", eps, buffers, 3);
      INDArray x = random(12, 2.0, 3, 6);
      INDArray res = random(13, 1.0, 3, 6);
      INDArray y = ln.forward(x, res);
      for (int r = 0; r < 3; r++) {
        double mean = 0;
        for (int j = 0; j < 6; j++) {
          mean += x.getDouble(r, j) + res.getDouble(r, j);
        }
        mean /= 6;
        double var = 0;
        for (int j = 0; j < 6; j++) {
          double d = x.getDouble(r, j) + res.getDouble(r, j) - mean;
          var += d * d / 6;
        }
        for (int j = 0; j < 6; j++) {
          double expected = (x.getDouble(r, j) + res.getDouble(r, j) - mean) / Math.sqrt(var + eps)
              * p.value("ln.weight").getDouble(j) + p.value("ln.bias").getDouble(j);
          assertEquals(expected, y.getDouble(r, j), 1e-13);
        }
      }
    }
  }

  /** Inference passes no x̂ to save: the output is the same, float and double. */
  @Test
  void forwardWithoutSavingXhatGivesTheSameOutput() {
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      Parameters p = Parameters.builder().add("ln.weight", 6).add("ln.bias", 6).build(type);
      FiniteDifferences.randomize(p, 11, 0.3);
      INDArray x = random(12, 2.0, 5, 6).castTo(type);
      INDArray res = random(13, 1.0, 5, 6).castTo(type);
      INDArray bias = random(14, 0.5, 6).castTo(type);
      INDArray saved = Nd4j.zeros(type, 5, 6);
      INDArray unsaved = Nd4j.zeros(type, 5, 6);
      LayerNorm.forward(saved, Nd4j.zeros(type, 5, 6), new double[5], x, bias, null, res,
          p.value("ln.weight"), p.value("ln.bias"), 1e-12);
      LayerNorm.forward(unsaved, null, new double[5], x, bias, null, res, p.value("ln.weight"), p.value("ln.bias"),
          1e-12);
      assertEquals(saved, unsaved, type.toString());
    }
  }

  /**
   * The float forward that saves no x̂ (inference; where the Vector API has 16-float vectors, its
   * vector rows for widths of whole vectors) against the double reference: widths 384 and 768
   * (vector rows) and 40 (plain loops), with the linear's bias and a residual; 7 rows (one thread)
   * and 37 (split between the threads, unevenly).
   */
  @ParameterizedTest
  @CsvSource({"7, 384", "7, 768", "7, 40", "37, 384", "37, 40"})
  void floatInferenceForwardMatchesTheDoubleReference(int rows, int width) {
    INDArray x = random(31, 3.0, rows, width).addi(0.7);
    INDArray res = random(32, 1.0, rows, width);
    INDArray bias = random(33, 0.5, width);
    INDArray gamma = random(34, 0.2, width).addi(1);
    INDArray beta = random(35, 0.2, width);
    INDArray expected = Nd4j.zeros(DataType.DOUBLE, rows, width);
    LayerNorm.forward(expected, null, new double[rows], x, bias, null, res, gamma, beta, 1e-12);
    DataType f = DataType.FLOAT;
    INDArray actual = Nd4j.zeros(f, rows, width);
    double[] rstd = new double[rows];
    LayerNorm.forward(actual, null, rstd, x.castTo(f), bias.castTo(f), null, res.castTo(f), gamma.castTo(f),
        beta.castTo(f), 1e-12);
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < width; j++) {
        assertEquals(expected.getDouble(r, j), actual.getDouble(r, j), 2e-6, "[" + r + ", " + j + "]");
      }
    }
  }

  @Test
  void backwardMatchesFiniteDifferencesForInputResidualAndParameters() {
    Parameters p = params();
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Ops.LayerNormOp ln = Ops.LayerNormOp.of(p, "ln", 1e-12, buffers, 4);
      INDArray x = random(14, 2.0, 4, 6);
      INDArray res = random(15, 1.0, 4, 6);
      INDArray dy = random(16, 1.0, 4, 6);
      ln.forward(x, res);
      INDArray dx = ln.backward(dy).dup();
      assertGradient("x", x, dx, () -> dot(ln.forward(x, res), dy), 12, 17);
      assertGradient("residual", res, dx, () -> dot(ln.forward(x, res), dy), 12, 18);
      assertParameterGradients(p, () -> dot(ln.forward(x, res), dy), 6, 19);
    }
  }
  @Test
  void twoIncomingGradientsGiveTheBackwardOfTheirSum() {
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      Parameters p = Parameters.builder().add("ln.weight", 6).add("ln.bias", 6).build(type);
      FiniteDifferences.randomize(p, 11, 0.3);
      try (Buffers buffers = new Buffers(type)) {
        Ops.LayerNormOp ln = Ops.LayerNormOp.of(p, "ln", 1e-12, buffers, 4);
        INDArray x = random(20, 2.0, 4, 6).castTo(type);
        INDArray dy = random(21, 1.0, 4, 6).castTo(type);
        INDArray dyOther = random(22, 1.0, 4, 6).castTo(type);
        ln.forward(x);
        INDArray expected = ln.backward(dy.add(dyOther)).dup();
        INDArray expectedGamma = p.grad("ln.weight").dup();
        INDArray expectedBeta = p.grad("ln.bias").dup();
        p.zeroGrad();
        INDArray dx = ln.backward(dy, dyOther);
        double tol = type == DataType.DOUBLE ? 1e-12 : 1e-6;
        for (int i = 0; i < 24; i++) {
          assertEquals(expected.getDouble(i / 6, i % 6), dx.getDouble(i / 6, i % 6), tol, type + " dx " + i);
        }
        for (int j = 0; j < 6; j++) {
          assertEquals(expectedGamma.getDouble(j), p.grad("ln.weight").getDouble(j), tol, type + " dγ " + j);
          assertEquals(expectedBeta.getDouble(j), p.grad("ln.bias").getDouble(j), tol, type + " dβ " + j);
        }
      }
    }
  }
}
