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
    String l = "layer.";
    Parameters p = layout(l, 8, 12).build(DataType.DOUBLE);
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

  /** The parameters of one encoder layer under {@code prefix}, query/key/value weights adjacent as the model lays them out. */
  static Parameters.Builder layout(String prefix, int hidden, int intermediate) {
    Parameters.Builder b = Parameters.builder();
    for (String n : new String[] {"query", "key", "value"}) {
      b.add(prefix + "attention.self." + n + ".weight", hidden, hidden);
    }
    for (String n : new String[] {"query", "key", "value"}) {
      b.add(prefix + "attention.self." + n + ".bias", hidden);
    }
    return b.add(prefix + "attention.output.dense.weight", hidden, hidden).add(prefix + "attention.output.dense.bias", hidden)
        .add(prefix + "attention.output.LayerNorm.weight", hidden).add(prefix + "attention.output.LayerNorm.bias", hidden)
        .add(prefix + "intermediate.dense.weight", intermediate, hidden).add(prefix + "intermediate.dense.bias", intermediate)
        .add(prefix + "output.dense.weight", hidden, intermediate).add(prefix + "output.dense.bias", hidden)
        .add(prefix + "output.LayerNorm.weight", hidden).add(prefix + "output.LayerNorm.bias", hidden);
  }
}
