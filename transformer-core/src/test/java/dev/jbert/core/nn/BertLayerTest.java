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
    TrainingMode mode = new TrainingMode(2);
    mode.setTraining(true);
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Built.Layer layer = new Built.Layer("layer", c, mode, buffers, DataType.DOUBLE, 81, 0.4, 2, 3);
      Parameters p = layer.p;
      double[] mask = new double[6];
      mask[5] = dev.jbert.core.kernel.Attention.MASK_VALUE;
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
