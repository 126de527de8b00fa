package dev.jbert.finetune.batch;

import dev.jbert.core.TokenBatch;
import java.util.Arrays;
import java.util.List;

/**
 * A padded batch with its targets: the model's input ({@link TokenBatch}, {@code [batch, seq]} with
 * {@code seq} = the longest example in the batch) and each row's label or score.
 *
 * @param tokens token ids padded with the pad id, segment ids padded with 0, mask 1 for real tokens
 * @param labelIds {@code [batch]} class ids ({@link EncodedExample#NO_LABEL} for regression)
 * @param scores {@code [batch]} regression targets (NaN for classification)
 * @param exampleIndices {@code [batch]} index of each row in the list the batches were built from
 * @param position which batch of which epoch this is
 */
public record Batch(TokenBatch tokens, int[] labelIds, float[] scores, int[] exampleIndices, BatchPosition position) {

  /** Pads the examples at {@code indices} of {@code examples} into one batch. */
  public static Batch collate(List<EncodedExample> examples, int[] indices, int padId, BatchPosition position) {
    if (indices.length == 0) {
      throw new IllegalArgumentException("a batch needs at least one example");
    }
    int seq = 0;
    for (int index : indices) {
      seq = Math.max(seq, examples.get(index).length());
    }
    int size = indices.length;
    int[] ids = new int[size * seq];
    int[] types = new int[size * seq];
    int[] mask = new int[size * seq];
    int[] labels = new int[size];
    float[] scores = new float[size];
    for (int row = 0; row < size; row++) {
      EncodedExample e = examples.get(indices[row]);
      int len = e.length();
      int at = row * seq;
      System.arraycopy(e.inputIds(), 0, ids, at, len);
      Arrays.fill(ids, at + len, at + seq, padId);
      System.arraycopy(e.tokenTypeIds(), 0, types, at, len); // padding keeps type 0
      Arrays.fill(mask, at, at + len, 1);
      labels[row] = e.labelId();
      scores[row] = e.score();
    }
    return new Batch(new TokenBatch(size, seq, ids, types, mask), labels, scores, indices.clone(), position);
  }

  /** Number of examples. */
  public int size() {
    return tokens.batch();
  }

  /** Padded sequence length. */
  public int seqLen() {
    return tokens.seq();
  }
}
