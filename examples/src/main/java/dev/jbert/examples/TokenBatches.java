package dev.jbert.examples;

import dev.jbert.core.TokenBatch;
import dev.jbert.tokenizer.BertTokenizer;
import dev.jbert.tokenizer.EncodeOptions;
import dev.jbert.tokenizer.Encoding;
import dev.jbert.tokenizer.PaddingStrategy;
import java.util.List;

/**
 * Texts to a model's input, padded to the longest: the glue between the tokenizer and
 * transformer-core, which do not depend on each other, for the examples that drive a model by hand.
 */
final class TokenBatches {

  private TokenBatches() {}

  /** {@code texts} tokenized and padded to the longest, as one batch. */
  static TokenBatch of(BertTokenizer tokenizer, List<String> texts) {
    List<Encoding> e = tokenizer.encodeBatch(texts, EncodeOptions.DEFAULT.withPadding(PaddingStrategy.LONGEST));
    return TokenBatch.of(e.stream().map(Encoding::inputIds).toArray(int[][]::new),
        e.stream().map(Encoding::typeIds).toArray(int[][]::new),
        e.stream().map(Encoding::attentionMask).toArray(int[][]::new));
  }
}
