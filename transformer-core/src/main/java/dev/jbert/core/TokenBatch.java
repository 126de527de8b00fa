package dev.jbert.core;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One batch of encoder inputs, flattened row-major [batch·seq]: token ids, token type ids and the
 * attention mask (1 for tokens, 0 for padding), as a Hugging Face tokenizer returns them. The one
 * token-batch type of jbert: fine-tuning's padded batches carry one beside their targets.
 */
public record TokenBatch(int batch, int seq, int[] inputIds, int[] tokenTypeIds, int[] attentionMask) {

  /** Checks lengths and mask values. */
  public TokenBatch {
    if (batch <= 0 || seq <= 0) {
      throw new IllegalArgumentException("batch and sequence length must be positive, got " + batch + " x " + seq);
    }
    int n = Math.multiplyExact(batch, seq);
    check("input_ids", inputIds, n);
    check("token_type_ids", tokenTypeIds, n);
    check("attention_mask", attentionMask, n);
    for (int i = 0; i < n; i++) {
      if (attentionMask[i] != 0 && attentionMask[i] != 1) {
        throw new IllegalArgumentException("attention_mask[" + i / seq + "][" + i % seq + "] is " + attentionMask[i] + ", expected 0 or 1");
      }
    }
  }

  private static void check(String what, int[] a, int n) {
    if (a == null || a.length != n) {
      throw new IllegalArgumentException(what + " has " + (a == null ? "no" : a.length) + " values, expected " + n);
    }
  }

  /**
   * From per-row arrays, all of one length; {@code tokenTypeIds} null means all 0 and
   * {@code attentionMask} null all 1 (Hugging Face's defaults).
   */
  public static TokenBatch of(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {
    int batch = inputIds.length;
    if (batch == 0) {
      throw new IllegalArgumentException("empty batch");
    }
    int seq = inputIds[0].length;
    int[] ids = flatten("input_ids", inputIds, batch, seq);
    int[] types = tokenTypeIds == null ? new int[batch * seq] : flatten("token_type_ids", tokenTypeIds, batch, seq);
    int[] mask;
    if (attentionMask == null) {
      mask = new int[batch * seq];
      Arrays.fill(mask, 1);
    } else {
      mask = flatten("attention_mask", attentionMask, batch, seq);
    }
    return new TokenBatch(batch, seq, ids, types, mask);
  }

  /** From [batch, seq] integer-valued arrays; null token types and mask as in {@link #of(int[][], int[][], int[][])}. */
  public static TokenBatch of(INDArray inputIds, INDArray tokenTypeIds, INDArray attentionMask) {
    return of(rows("input_ids", inputIds), tokenTypeIds == null ? null : rows("token_type_ids", tokenTypeIds),
        attentionMask == null ? null : rows("attention_mask", attentionMask));
  }

  private static int[][] rows(String what, INDArray a) {
    if (a.rank() != 2) {
      throw new IllegalArgumentException(what + " must be [batch, seq], got shape " + Arrays.toString(a.shape()));
    }
    return a.toIntMatrix();
  }

  private static int[] flatten(String what, int[][] rows, int batch, int seq) {
    if (rows.length != batch) {
      throw new IllegalArgumentException(what + " has " + rows.length + " rows, expected " + batch);
    }
    int[] out = new int[batch * seq];
    for (int b = 0; b < batch; b++) {
      if (rows[b].length != seq) {
        throw new IllegalArgumentException(what + " row " + b + " has length " + rows[b].length + ", expected " + seq);
      }
      System.arraycopy(rows[b], 0, out, b * seq, seq);
    }
    return out;
  }

  /**
   * This batch followed by a copy of itself, [2·batch, seq]: row {@code b + batch} repeats row {@code
   * b} (R-Drop's doubled batch, whose two copies of an input get different dropout masks).
   */
  public TokenBatch twice() {
    return new TokenBatch(2 * batch, seq, repeat(inputIds), repeat(tokenTypeIds), repeat(attentionMask));
  }

  private static int[] repeat(int[] a) {
    int[] out = Arrays.copyOf(a, 2 * a.length);
    System.arraycopy(a, 0, out, a.length, a.length);
    return out;
  }

  /** Number of tokens, batch·seq. */
  public int tokens() {
    return batch * seq;
  }

  /** Number of real (non-padding) tokens: the ones of the attention mask. */
  public long realTokens() {
    long count = 0;
    for (int m : attentionMask) {
      count += m;
    }
    return count;
  }

  /** Share of the {@code [batch, seq]} cells that are padding. */
  public double paddingFraction() {
    return 1.0 - (double) realTokens() / tokens();
  }
}
