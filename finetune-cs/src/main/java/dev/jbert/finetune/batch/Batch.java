package dev.jbert.finetune.batch;

import java.util.Arrays;
import java.util.List;

/**
 * A padded batch, {@code [batch, seq]} with {@code seq} = the longest example in the batch.
 *
 * @param inputIds {@code [batch, seq]} token ids, padded with the pad id
 * @param tokenTypeIds {@code [batch, seq]} segment ids, padded with 0
 * @param attentionMask {@code [batch, seq]} 1 for real tokens, 0 for padding
 * @param labelIds {@code [batch]} class ids ({@link EncodedExample#NO_LABEL} for regression)
 * @param scores {@code [batch]} regression targets (NaN for classification)
 * @param exampleIndices {@code [batch]} index of each row in the list the batches were built from
 * @param position which batch of which epoch this is
 */
public record Batch(
    int[][] inputIds,
    int[][] tokenTypeIds,
    int[][] attentionMask,
    int[] labelIds,
    float[] scores,
    int[] exampleIndices,
    BatchPosition position) {

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
    int[][] ids = new int[size][seq];
    int[][] types = new int[size][seq];
    int[][] mask = new int[size][seq];
    int[] labels = new int[size];
    float[] scores = new float[size];
    for (int row = 0; row < size; row++) {
      EncodedExample e = examples.get(indices[row]);
      int len = e.length();
      System.arraycopy(e.inputIds(), 0, ids[row], 0, len);
      Arrays.fill(ids[row], len, seq, padId);
      System.arraycopy(e.tokenTypeIds(), 0, types[row], 0, len); // padding keeps type 0
      Arrays.fill(mask[row], 0, len, 1);
      labels[row] = e.labelId();
      scores[row] = e.score();
    }
    return new Batch(ids, types, mask, labels, scores, indices.clone(), position);
  }

  /** Number of examples. */
  public int size() {
    return inputIds.length;
  }

  /** Padded sequence length. */
  public int seqLen() {
    return inputIds[0].length;
  }

  /** Number of real (non-padding) tokens. */
  public long realTokens() {
    long count = 0;
    for (int[] row : attentionMask) {
      for (int m : row) {
        count += m;
      }
    }
    return count;
  }

  /** Share of the {@code [batch, seq]} cells that are padding. */
  public double paddingFraction() {
    return 1.0 - (double) realTokens() / ((long) size() * seqLen());
  }
}
