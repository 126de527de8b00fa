package dev.jbert.core.nn;

import static dev.jbert.core.nn.FiniteDifferences.assertGradient;
import static dev.jbert.core.nn.FiniteDifferences.dot;
import static dev.jbert.core.nn.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbert.core.kernel.Activation;
import dev.jbert.core.kernel.Gelu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ActivationTest {

  @ParameterizedTest
  @ValueSource(strings = {"gelu", "gelu_new", "relu"})
  void backwardMatchesFiniteDifferences(String name) {
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Ops.ActivationOp act = new Ops.ActivationOp(name, buffers, 5, 7);
      INDArray x = random(21, 2.0, 5, 7);
      if (name.equals("relu")) {
        x.addi(Nd4j.ones(DataType.DOUBLE, 5, 7).mul(1e-3).muli(x.gt(0).castTo(DataType.DOUBLE).mul(2).sub(1))); // keep away from the kink
      }
      INDArray dy = random(22, 1.0, 5, 7);
      act.forward(x);
      INDArray dx = act.backward(dy).dup();
      assertGradient(name, x, dx, () -> dot(act.forward(x), dy), 20, 23);
    }
  }

  /**
   * Inference runs the activation in place (BertIntermediate's output is its dense buffer), and a
   * backward may write over its incoming gradient.
   */
  @ParameterizedTest
  @ValueSource(strings = {"gelu", "gelu_new", "relu"})
  void inPlaceEqualsOutOfPlace(String name) {
    Activation act = Activation.of(name);
    for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      INDArray x = random(27, 2.0, 40, 33).castTo(dt);
      INDArray bias = random(28, 0.5, 33).castTo(dt);
      INDArray expected = Nd4j.zeros(dt, 40, 33);
      act.forward(expected, x, bias);
      INDArray inPlace = x.dup();
      act.forward(inPlace, inPlace, bias);
      assertEquals(expected, inPlace, name + " " + dt);
      INDArray dy = random(29, 1.0, 40, 33).castTo(dt);
      INDArray dx = Nd4j.zeros(dt, 40, 33);
      act.backward(dx, dy, x, bias);
      INDArray dyInPlace = dy.dup();
      act.backward(dyInPlace, dyInPlace, x, bias);
      assertEquals(dx, dyInPlace, name + " " + dt + " backward in place");
    }
  }

  /**
   * GELU's forward and backward in float (the Vector API's rows where it has 16-float vectors, the
   * forward from {@link Gelu#VECTOR_MIN_ROWS} rows) against the double reference, and the same
   * floats as the plain loops (which a few rows take): widths of whole vectors (1536), whole vectors
   * and a tail (40) and a tail alone (7), rows on either side of the threshold, in place and out of
   * place, and the far ends of the clamp of erf's argument.
   */
  @ParameterizedTest
  @CsvSource({"1536, -1", "1536, 3", "40, 3", "7, 0"})
  void floatGeluMatchesTheReferenceAndThePlainLoops(int width, int rowsPastTheThreshold) {
    int rows = Gelu.VECTOR_MIN_ROWS + rowsPastTheThreshold;
    INDArray x = random(31, 3.0, rows, width);
    x.putScalar(0, 0, 100.0);
    x.putScalar(0, 1, -100.0);
    x.putScalar(0, 2, 5.7);
    x.putScalar(0, 3, -5.7);
    x.putScalar(0, 4, 0.0);
    INDArray bias = random(32, 0.5, width);
    bias.putScalar(0, 0.0);
    bias.putScalar(1, 0.0);
    INDArray dy = random(33, 1.0, rows, width);
    INDArray reference = Nd4j.zeros(DataType.DOUBLE, rows, width);
    Activation.GELU.forward(reference, x, bias);
    INDArray referenceDx = Nd4j.zeros(DataType.DOUBLE, rows, width);
    Activation.GELU.backward(referenceDx, dy, x, bias);
    INDArray xf = x.castTo(DataType.FLOAT);
    INDArray bf = bias.castTo(DataType.FLOAT);
    INDArray dyf = dy.castTo(DataType.FLOAT);
    INDArray y = Nd4j.zeros(DataType.FLOAT, rows, width);
    Activation.GELU.forward(y, xf, bf);
    INDArray dx = Nd4j.zeros(DataType.FLOAT, rows, width);
    Activation.GELU.backward(dx, dyf, xf, bf);
    INDArray inPlace = xf.dup();
    Activation.GELU.forward(inPlace, inPlace, bf);
    assertEquals(y, inPlace, "in place");
    INDArray plainY = Nd4j.zeros(DataType.FLOAT, rows, width);
    INDArray plainSlope = Nd4j.zeros(DataType.FLOAT, rows, width);
    Gelu.forward(plainY, plainSlope, xf, bf);                           // the plain loops, output and slope
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < width; j++) {
        double tolerance = 2e-6 * Math.max(1.0, Math.abs(x.getDouble(r, j) + bias.getDouble(j)));
        String at = "gelu at [" + r + ", " + j + "]";
        assertEquals(reference.getDouble(r, j), y.getDouble(r, j), tolerance, at + " vs the double reference");
        assertEquals(referenceDx.getDouble(r, j), dx.getDouble(r, j), 2e-6 * (1 + Math.abs(dy.getDouble(r, j))),
            at + ": backward vs the double reference");
        assertEquals(plainY.getFloat(r, j), y.getFloat(r, j), 0f, at + " vs the plain loop: the same floats");
        assertEquals(plainSlope.getFloat(r, j) * dyf.getFloat(r, j), dx.getFloat(r, j), 0f,
            at + ": backward vs the plain loop's slope");
      }
    }
    assertEquals(100.0, y.getDouble(0, 0), 0.0, "gelu(100)");
    assertEquals(0.0, y.getDouble(0, 1), 0.0, "gelu(-100)");
  }

  @Test
  void exactGeluIsXTimesNormalCdf() {
    // 0.5 x (1 + erf(x / √2)) at points where Φ is known to 17 digits (math.erf of CPython / libm)
    double[] x = {-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 4.0};
    double[] erfHalf = {-0.9973002039367398, -0.6826894921370859, -0.3829249225480262, 0.0, 0.3829249225480262,
        0.6826894921370859, 0.9544997361036416, 0.9999366575163338};
    for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      try (Buffers buffers = new Buffers(dt)) {
        Ops.ActivationOp gelu = new Ops.ActivationOp("gelu", buffers, 1, x.length);
        INDArray in = Nd4j.createFromArray(x).castTo(dt).reshape(1, x.length);
        INDArray y = gelu.forward(in);
        for (int i = 0; i < x.length; i++) {
          double expected = 0.5 * x[i] * (1 + erfHalf[i]);
          assertEquals(expected, y.getDouble(0, i), dt == DataType.DOUBLE ? 1e-15 : 1e-6, dt + " gelu(" + x[i] + ")");
        }
      }
    }
  }

  @Test
  void unknownActivationIsRejected() {
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      assertThrows(IllegalArgumentException.class, () -> new Ops.ActivationOp("swish", buffers, 1, 1));
    }
  }
}
