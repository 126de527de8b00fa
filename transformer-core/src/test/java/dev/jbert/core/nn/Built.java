package dev.jbert.core.nn;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.param.ParameterScope;
import dev.jbert.core.param.Parameters;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Modules under test with their parameters (randomised) and the activations of one shape. */
final class Built {

  private Built() {}

  /** A tiny config for module tests. */
  static BertConfig config(int hidden, int heads, int intermediate, double hiddenDropout, double attentionDropout) {
    return BertConfig.builder().vocabSize(10).hiddenSize(hidden).numHiddenLayers(1).numAttentionHeads(heads)
        .intermediateSize(intermediate).maxPositionEmbeddings(16).hiddenDropoutProb(hiddenDropout)
        .attentionProbsDropoutProb(attentionDropout).build();
  }

  /** {@link BertSelfAttention} declared under {@code name}. */
  static final class SelfAttention {
    final BertSelfAttention module;
    final Parameters p;
    final BertSelfAttention.Activations a;

    SelfAttention(String name, BertConfig c, TrainingMode mode, Buffers buffers, DataType type, long seed,
        double scale, int batch, int seq) {
      this(name, c, mode, buffers, type, seed, scale, batch, seq, seq);
    }

    /** With the first {@code queries} tokens of each sequence asking. */
    SelfAttention(String name, BertConfig c, TrainingMode mode, Buffers buffers, DataType type, long seed,
        double scale, int batch, int seq, int queries) {
      ParameterScope s = ParameterScope.root();
      module = new BertSelfAttention(s.pp(name), c, mode);
      p = s.build(type);
      FiniteDifferences.randomize(p, seed, scale);
      a = module.allocate(buffers, batch, seq, queries);
    }

    INDArray forward(INDArray x, double[] maskAdd) {
      return module.forward(a, x, maskAdd);
    }

    INDArray backward(INDArray dy) {
      return module.backward(a, dy);
    }
  }

  /** {@link BertLayer} declared under {@code name}. */
  static final class Layer {
    final BertLayer module;
    final Parameters p;
    final BertLayer.Activations a;

    Layer(String name, BertConfig c, TrainingMode mode, Buffers buffers, DataType type, long seed, double scale,
        int batch, int seq) {
      ParameterScope s = ParameterScope.root();
      module = new BertLayer(s.pp(name), c, mode);
      p = s.build(type);
      FiniteDifferences.randomize(p, seed, scale);
      a = module.allocate(buffers, batch, seq, false);
    }

    INDArray forward(INDArray x, double[] maskAdd) {
      return module.forward(a, x, maskAdd);
    }

    INDArray backward(INDArray dy) {
      return module.backward(a, dy);
    }
  }
}
