package dev.jbert.core.nn;

import static dev.jbert.core.nn.FiniteDifferences.assertGradient;
import static dev.jbert.core.nn.FiniteDifferences.assertParameterGradients;
import static dev.jbert.core.nn.FiniteDifferences.dot;
import static dev.jbert.core.nn.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbert.core.Parameters;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class PoolerAndHeadTest {

  @Test
  void poolerIsTanhOfTheFirstTokenAndItsBackwardMatchesFiniteDifferences() {
    Parameters p = Parameters.builder().add("pooler.dense.weight", 5, 5).add("pooler.dense.bias", 5).build(DataType.DOUBLE);
    FiniteDifferences.randomize(p, 51, 0.5);
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Pooler pooler = new Pooler(p, "pooler.", buffers, 3, 4);
      INDArray hidden = random(52, 1.0, 12, 5);
      INDArray pooled = pooler.forward(hidden);
      INDArray cls = hidden.getRow(4).reshape(1, 5);
      INDArray expected = org.nd4j.linalg.ops.transforms.Transforms.tanh(
          cls.mmul(p.value("pooler.dense.weight").transpose()).addRowVector(p.value("pooler.dense.bias")));
      for (int j = 0; j < 5; j++) {
        assertEquals(expected.getDouble(0, j), pooled.getDouble(1, j), 1e-15);
      }
      INDArray dy = random(53, 1.0, 3, 5);
      INDArray dHidden = pooler.backward(dy).dup();
      assertEquals(0.0, dHidden.getRow(5).amaxNumber().doubleValue(), "only first tokens get a gradient");
      assertGradient("hidden", hidden, dHidden, () -> dot(pooler.forward(hidden), dy), 20, 54);
      assertParameterGradients(p, () -> dot(pooler.forward(hidden), dy), 8, 55);
    }
  }

  @Test
  void classificationHeadWithFixedDropoutMaskMatchesFiniteDifferences() {
    Parameters p = Parameters.builder().add("classifier.weight", 3, 5).add("classifier.bias", 3).build(DataType.DOUBLE);
    FiniteDifferences.randomize(p, 56, 0.5);
    TrainingMode mode = new TrainingMode(3);
    mode.setTraining(true);
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      ClassificationHead head = new ClassificationHead(p, "classifier", 0.4, mode, buffers, 4);
      INDArray pooled = random(57, 1.0, 4, 5);
      INDArray dy = random(58, 1.0, 4, 3);
      mode.reseed(5);
      head.forward(pooled);
      INDArray dPooled = head.backward(dy).dup();
      java.util.function.DoubleSupplier loss = () -> {
        mode.reseed(5);
        return dot(head.forward(pooled), dy);
      };
      assertGradient("pooled", pooled, dPooled, loss, 15, 59);
      assertParameterGradients(p, loss, 6, 60);
    }
  }
}
