package dev.jbert.core.nn;

import static dev.jbert.core.nn.FiniteDifferences.assertModuleGradients;
import static dev.jbert.core.nn.FiniteDifferences.random;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.param.Parameters;
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
      assertModuleGradients(mode, 4, in -> layer.forward(in, mask), layer::backward, x, dy, p, 4, 84);
    }
  }

}
