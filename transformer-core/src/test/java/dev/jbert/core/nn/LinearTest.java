package dev.jbert.core.nn;

import static dev.jbert.core.nn.FiniteDifferences.assertGradient;
import static dev.jbert.core.nn.FiniteDifferences.assertParameterGradients;
import static dev.jbert.core.nn.FiniteDifferences.dot;
import static dev.jbert.core.nn.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbert.core.param.Parameters;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class LinearTest {

  private static Parameters params() {
    Parameters p = Parameters.builder().add("fc.weight", 4, 3).add("fc.bias", 4).build(DataType.DOUBLE);
    FiniteDifferences.randomize(p, 1, 0.5);
    return p;
  }

  @Test
  void forwardIsXWTransposedPlusBias() {
    Parameters p = params();
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Ops.LinearOp fc = new Ops.LinearOp(p, "fc", buffers, 5);
      INDArray x = random(2, 1.0, 5, 3);
      INDArray y = fc.forward(x);
      for (int r = 0; r < 5; r++) {
        for (int o = 0; o < 4; o++) {
          double expected = p.value("fc.bias").getDouble(o);
          for (int i = 0; i < 3; i++) {
            expected += x.getDouble(r, i) * p.value("fc.weight").getDouble(o, i);
          }
          assertEquals(expected, y.getDouble(r, o), 1e-14);
        }
      }
    }
  }

  @Test
  void backwardMatchesFiniteDifferencesAndAccumulates() {
    Parameters p = params();
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Ops.LinearOp fc = new Ops.LinearOp(p, "fc", buffers, 5);
      INDArray x = random(3, 1.0, 5, 3);
      INDArray dy = random(4, 1.0, 5, 4);
      fc.forward(x);
      INDArray dx = fc.backward(dy).dup();
      assertGradient("x", x, dx, () -> dot(fc.forward(x), dy), 10, 5);
      assertParameterGradients(p, () -> dot(fc.forward(x), dy), 10, 6);

      INDArray once = p.grads().dup();
      fc.forward(x);
      fc.backward(dy);
      assertEquals(0.0, p.grads().sub(once.mul(2)).amaxNumber().doubleValue(), 1e-12, "a second backward adds to the gradients");
    }
  }
}
