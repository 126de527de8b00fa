package dev.jbert.optim;

import java.util.Collection;

/**
 * Layer-wise learning-rate decay (LLRD): a tensor at depth {@code d} trains at
 * {@code lr * decay^(L - d)}, where {@code L = numLayers + 1}, the embeddings have depth 0, encoder
 * layer {@code i} depth {@code i + 1} and everything above the encoder (pooler, classifier) depth
 * {@code L}, i.e. multiplier 1. A decay of 1 turns it off.
 *
 * @param decay the per-layer factor, in (0, 1]
 * @param numLayers the number of encoder layers
 */
public record LayerwiseLrDecay(double decay, int numLayers) {

  /** Checks the ranges. */
  public LayerwiseLrDecay {
    if (!(decay > 0 && decay <= 1)) {
      throw new IllegalArgumentException("layer-wise lr decay must be in (0, 1], got " + decay);
    }
    if (numLayers < 0) {
      throw new IllegalArgumentException("number of encoder layers must be >= 0, got " + numLayers);
    }
  }

  /** LLRD over a model whose encoder depth is read from its parameter names (highest index + 1). */
  public static LayerwiseLrDecay forNames(double decay, Collection<String> names) {
    int layers = names.stream().map(BertNames::encoderLayer)
        .mapToInt(i -> i.orElse(-1)).max().orElse(-1) + 1;
    return new LayerwiseLrDecay(decay, layers);
  }

  /** The learning-rate multiplier of the tensor called {@code name}. */
  public double multiplier(String name) {
    int top = numLayers + 1;
    int depth;
    if (BertNames.isEmbeddings(name)) {
      depth = 0;
    } else if (BertNames.encoderLayer(name).isPresent()) {
      int layer = BertNames.encoderLayer(name).getAsInt();
      if (layer >= numLayers) {
        throw new IllegalArgumentException(
            "tensor '" + name + "' is in encoder layer " + layer + " but LLRD was set up for " + numLayers + " layers");
      }
      depth = layer + 1;
    } else {
      depth = top;
    }
    return Math.pow(decay, top - depth);
  }
}
