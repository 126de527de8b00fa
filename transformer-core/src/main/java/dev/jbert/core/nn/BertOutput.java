package dev.jbert.core.nn;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.param.ParameterScope;

/**
 * Hugging Face's {@code BertOutput} ({@code output}): the feed-forward's down projection, dropout
 * and the post-LN residual, {@code LayerNorm(dropout(dense(h)) + attended)}. Mirrors
 * <a href="https://github.com/huggingface/transformers/blob/004ad5f50b627b59bf0d581c31bc0052b6cfd40b/src/transformers/models/bert/modeling_bert.py#L429">modeling_bert.py#L429</a>. Parameters {@code dense.weight} [hidden, intermediate], {@code dense.bias},
 * {@code LayerNorm.weight}, {@code LayerNorm.bias}.
 */
public final class BertOutput extends DenseDropoutNorm {

  public BertOutput(ParameterScope s, BertConfig c, TrainingMode mode) {
    super(s, c, c.intermediateSize(), mode);
  }
}
