package dev.jbert.core.nn;

import dev.jbert.core.BertConfig;
import dev.jbert.core.ParameterScope;

/**
 * Hugging Face's {@code BertOutput} ({@code output}): the feed-forward's down projection, dropout
 * and the post-LN residual, {@code LayerNorm(dropout(dense(h)) + attended)}. Mirrors
 * HF_LINK_BertOutput. Parameters {@code dense.weight} [hidden, intermediate], {@code dense.bias},
 * {@code LayerNorm.weight}, {@code LayerNorm.bias}.
 */
public final class BertOutput extends DenseDropoutNorm {

  public BertOutput(ParameterScope s, BertConfig c, TrainingMode mode) {
    super(s, c, c.intermediateSize(), mode);
  }
}
