package dev.jbert.core.nn;

import static dev.jbert.core.nn.FiniteDifferences.assertParameterGradients;
import static dev.jbert.core.nn.FiniteDifferences.dot;
import static dev.jbert.core.nn.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbert.core.param.Parameters;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class EmbeddingsTest {

  private static Parameters params() {
    Parameters p = Parameters.builder()
        .add("e.word_embeddings.weight", 10, 4)
        .add("e.position_embeddings.weight", 6, 4)
        .add("e.token_type_embeddings.weight", 2, 4)
        .build(DataType.DOUBLE);
    FiniteDifferences.randomize(p, 41, 1.0);
    return p;
  }

  @Test
  void forwardSumsWordTypeAndAbsolutePosition() {
    Parameters p = params();
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Ops.EmbeddingOp e = new Ops.EmbeddingOp(p, "e.", 0, buffers, 2, 3);
      int[] ids = {5, 7, 7, 1, 9, 0};
      int[] types = {0, 1, 1, 0, 0, 1};
      INDArray y = e.forward(ids, types);
      for (int t = 0; t < 6; t++) {
        for (int j = 0; j < 4; j++) {
          double expected = p.value("e.word_embeddings.weight").getDouble(ids[t], j)
              + p.value("e.token_type_embeddings.weight").getDouble(types[t], j)
              + p.value("e.position_embeddings.weight").getDouble(t % 3, j);
          assertEquals(expected, y.getDouble(t, j), 1e-15);
        }
      }
    }
  }

  @Test
  void backwardScatterAddsAndMatchesFiniteDifferences() {
    Parameters p = params();
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Ops.EmbeddingOp e = new Ops.EmbeddingOp(p, "e.", 0, buffers, 2, 3);
      int[] ids = {5, 7, 7, 1, 9, 5}; // repeated ids: their gradients add up
      int[] types = {0, 1, 1, 0, 0, 1};
      INDArray dy = random(42, 1.0, 6, 4);
      e.forward(ids, types);
      e.backward(dy);
      assertParameterGradients(p, () -> dot(e.forward(ids, types), dy), 15, 43);
      assertEquals(0.0, p.grad("e.word_embeddings.weight").getRow(3).amaxNumber().doubleValue(), "unused rows get nothing");
      assertEquals(0.0, p.grad("e.position_embeddings.weight").getRow(4).amaxNumber().doubleValue());
    }
  }

  @Test
  void paddingRowGetsNoGradientAsTorchPaddingIdx() {
    Parameters p = params();
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Ops.EmbeddingOp e = new Ops.EmbeddingOp(p, "e.", 0, buffers, 1, 3);
      e.forward(new int[] {2, 0, 0}, new int[] {0, 0, 0});
      e.backward(random(44, 1.0, 3, 4));
      assertEquals(0.0, p.grad("e.word_embeddings.weight").getRow(0).amaxNumber().doubleValue());
      assertEquals(true, p.grad("e.word_embeddings.weight").getRow(2).amaxNumber().doubleValue() > 0);
    }
  }
}
