package dev.jbert.core;

import dev.jbert.core.kernel.Flat;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hugging Face's {@code BertPreTrainedModel._init_weights}, by parameter name: Linear and
 * embedding weights ~ N(0, initializer_range), biases 0, LayerNorm weight 1 and bias 0, and the
 * word-embedding row of {@code pad_token_id} 0.
 */
final class WeightInit {

  private WeightInit() {}

  /** Initialises one named tensor of {@code p}. */
  static void initialize(Parameters p, String name, BertConfig config, Random random) {
    INDArray value = p.value(name);
    if (name.endsWith("LayerNorm.weight")) {
      value.assign(1.0);
    } else if (name.endsWith(".bias")) {
      value.assign(0.0);
    } else {
      double[] v = new double[Math.toIntExact(value.length())];
      for (int i = 0; i < v.length; i++) {
        v[i] = random.nextGaussian() * config.initializerRange();
      }
      if (name.endsWith("word_embeddings.weight")) {
        int hidden = (int) value.size(1);
        java.util.Arrays.fill(v, config.padTokenId() * hidden, (config.padTokenId() + 1) * hidden, 0.0);
      }
      Flat.of(value).put(0, v, 0, v.length);
    }
  }

  /** Initialises every tensor of {@code p}, in layout order, from one seeded stream. */
  static void initializeAll(Parameters p, BertConfig config, long seed) {
    Random random = new Random(seed);
    for (String name : p.names()) {
      initialize(p, name, config, random);
    }
  }
}
