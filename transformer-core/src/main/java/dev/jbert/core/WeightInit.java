package dev.jbert.core;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.kernel.Flat;
import dev.jbert.core.param.Parameters;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hugging Face's {@code BertPreTrainedModel._init_weights}, by parameter name: Linear and
 * embedding weights ~ N(0, initializer_range), biases 0, LayerNorm weight 1 and bias 0, and the
 * word-embedding row of {@code pad_token_id} 0.
 */
final class WeightInit {

  /** Elements drawn per chunk. */
  private static final int CHUNK = 1 << 16;

  private WeightInit() {}

  /** Initialises one named tensor of {@code p}. */
  static void initialize(Parameters p, String name, BertConfig config, Random random) {
    INDArray value = p.value(name);
    if (name.endsWith("LayerNorm.weight")) {
      value.assign(1.0);
    } else if (name.endsWith(".bias")) {
      value.assign(0.0);
    } else {
      // In chunks, not one array of the tensor: a tensor bigger than the young generation would be
      // allocated in the old one and stay there, touched, until a full GC (bert-base's word
      // embeddings alone are 188 MB of doubles).
      Flat dst = Flat.of(value);
      int length = Math.toIntExact(value.length());
      double[] chunk = new double[Math.min(CHUNK, length)];
      for (int from = 0; from < length; from += CHUNK) {
        int len = Math.min(CHUNK, length - from);
        for (int i = 0; i < len; i++) {
          chunk[i] = random.nextGaussian() * config.initializerRange();
        }
        dst.put(from, chunk, 0, len);
      }
      if (name.endsWith("word_embeddings.weight")) {
        value.getRow(config.padTokenId()).assign(0.0);
      }
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
