package dev.jbert.core.nn;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.param.ParameterScope;

/**
 * Hugging Face's {@code BertSelfOutput} ({@code attention.output}): the attention's output
 * projection, dropout and the post-LN residual, {@code LayerNorm(dropout(dense(context)) + x)}.
 * Mirrors <a href="https://github.com/huggingface/transformers/blob/004ad5f50b627b59bf0d581c31bc0052b6cfd40b/src/transformers/models/bert/modeling_bert.py#L351">modeling_bert.py#L351</a>. Parameters {@code dense.weight} [hidden, hidden],
 * {@code dense.bias}, {@code LayerNorm.weight}, {@code LayerNorm.bias}.
 */
public final class BertSelfOutput extends DenseDropoutNorm {

  public BertSelfOutput(ParameterScope s, BertConfig c, TrainingMode mode) {
    super(s, c, c.hiddenSize(), mode);
  }
}
