package dev.jbert.core.nn;

import static dev.jbert.core.nn.FiniteDifferences.assertGradient;
import static dev.jbert.core.nn.FiniteDifferences.assertParameterGradients;
import static dev.jbert.core.nn.FiniteDifferences.dot;
import static dev.jbert.core.nn.FiniteDifferences.random;

import dev.jbert.core.BertConfig;
import dev.jbert.core.Parameters;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class BertLayerTest {

  @Test
  void wholeBlockBackwardWithDropoutAndPaddingMatchesFiniteDifferences() {
    BertConfig c = BertConfig.builder().vocabSize(10).hiddenSize(8).numHiddenLayers(1).numAttentionHeads(2)
        .intermediateSize(12).maxPositionEmbeddings(8).hiddenDropoutProb(0.2).attentionProbsDropoutProb(0.2).build();
    Parameters.Builder b = Parameters.builder();
    String l = "layer.";
    for (String n : new String[] {"query", "key", "value"}) {
      b.add(l + "attention.self." + n + ".weight", 8, 8);
    }
    for (String n : new String[] {"query", "key", "value"}) {
      b.add(l + "attention.self." + n + ".bias", 8);
    }
    b.add(l + "attention.output.dense.weight", 8, 8).add(l + "attention.output.dense.bias", 8)
        .add(l + "attention.output.LayerNorm.weight", 8).add(l + "attention.output.LayerNorm.bias", 8)
        .add(l + "intermediate.dense.weight", 12, 8).add(l + "intermediate.dense.bias", 12)
        .add(l + "output.dense.weight", 8, 12).add(l + "output.dense.bias", 8)
        .add(l + "output.LayerNorm.weight", 8).add(l + "output.LayerNorm.bias", 8);
    Parameters p = b.build(DataType.DOUBLE);
    FiniteDifferences.randomize(p, 81, 0.4);
    TrainingMode mode = new TrainingMode(2);
    mode.setTraining(true);
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      BertLayer layer = new BertLayer(c, p, l, mode, buffers, 2, 3);
      double[] mask = new double[6];
      mask[5] = SelfAttention.MASK_VALUE;
      INDArray x = random(82, 1.0, 6, 8);
      INDArray dy = random(83, 1.0, 6, 8);
      mode.reseed(4);
      layer.forward(x, mask);
      INDArray dx = layer.backward(dy).dup();
      java.util.function.DoubleSupplier loss = () -> {
        mode.reseed(4);
        return dot(layer.forward(x, mask), dy);
      };
      assertGradient("x", x, dx, loss, 15, 84);
      assertParameterGradients(p, loss, 4, 85);
    }
  }
}
