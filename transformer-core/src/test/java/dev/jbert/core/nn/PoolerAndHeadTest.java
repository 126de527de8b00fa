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

class PoolerAndHeadTest {

  @Test
  void poolerIsTanhOfTheFirstTokenAndItsBackwardMatchesFiniteDifferences() {
    dev.jbert.core.param.ParameterScope scope = dev.jbert.core.param.ParameterScope.root();
    BertPooler pooler = new BertPooler(scope.pp("pooler"), Built.config(5, 1, 5, 0.0, 0.0));
    Parameters p = scope.build(DataType.DOUBLE);
    FiniteDifferences.randomize(p, 51, 0.5);
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      BertPooler.Activations a = pooler.allocate(buffers, 3, 4);
      INDArray hidden = random(52, 1.0, 12, 5);
      INDArray pooled = pooler.forward(a, hidden);
      INDArray cls = hidden.getRow(4).reshape(1, 5);
      INDArray expected = org.nd4j.linalg.ops.transforms.Transforms.tanh(
          cls.mmul(p.value("pooler.dense.weight").transpose()).addRowVector(p.value("pooler.dense.bias")));
      for (int j = 0; j < 5; j++) {
        assertEquals(expected.getDouble(0, j), pooled.getDouble(1, j), 1e-15);
      }
      INDArray dy = random(53, 1.0, 3, 5);
      INDArray dHidden = pooler.backward(a, dy, null).dup();
      assertEquals(0.0, dHidden.getRow(5).amaxNumber().doubleValue(), "only first tokens get a gradient");
      assertGradient("hidden", hidden, dHidden, () -> dot(pooler.forward(a, hidden), dy), 20, 54);
      assertParameterGradients(p, () -> dot(pooler.forward(a, hidden), dy), 8, 55);
    }
  }

  @Test
  void classificationHeadWithFixedDropoutMaskMatchesFiniteDifferences() {
    TrainingMode mode = new TrainingMode(3);
    mode.setTraining(true);
    dev.jbert.core.param.ParameterScope scope = dev.jbert.core.param.ParameterScope.root();
    ClassificationHead head = new ClassificationHead(scope, Built.config(5, 1, 5, 0.0, 0.0).toBuilder()
        .labels(java.util.List.of("a", "b", "c")).classifierDropout(0.4).build(), mode);
    Parameters p = scope.build(DataType.DOUBLE);
    FiniteDifferences.randomize(p, 56, 0.5);
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      ClassificationHead.Activations a = head.allocate(buffers, 4);
      INDArray pooled = random(57, 1.0, 4, 5);
      INDArray dy = random(58, 1.0, 4, 3);
      mode.reseed(5);
      head.forward(a, pooled);
      INDArray dPooled = head.backward(a, dy).dup();
      java.util.function.DoubleSupplier loss = () -> {
        mode.reseed(5);
        return dot(head.forward(a, pooled), dy);
      };
      assertGradient("pooled", pooled, dPooled, loss, 15, 59);
      assertParameterGradients(p, loss, 6, 60);
    }
  }
}
