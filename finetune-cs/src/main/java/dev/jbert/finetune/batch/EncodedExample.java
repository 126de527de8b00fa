package dev.jbert.finetune.batch;

/**
 * One tokenized example, ready for batching: {@code [CLS] A [SEP] (B [SEP])} ids without padding.
 *
 * @param inputIds token ids, already truncated to the model's maximum length
 * @param tokenTypeIds segment ids (0 for A, 1 for B), same length as {@code inputIds}
 * @param labelId class id for classification, or {@link #NO_LABEL}
 * @param score regression target, or {@link Float#NaN} for classification
 */
public record EncodedExample(int[] inputIds, int[] tokenTypeIds, int labelId, float score) {

  /** {@code labelId} of regression (and unlabelled) examples. */
  public static final int NO_LABEL = -1;

  public EncodedExample {
    if (inputIds.length == 0) {
      throw new IllegalArgumentException("an encoded example needs at least one token");
    }
    if (tokenTypeIds.length != inputIds.length) {
      throw new IllegalArgumentException("tokenTypeIds has " + tokenTypeIds.length + " entries, inputIds " + inputIds.length);
    }
  }

  /** A classification example with class {@code labelId} (≥ 0). */
  public static EncodedExample classification(int[] inputIds, int[] tokenTypeIds, int labelId) {
    if (labelId < 0) {
      throw new IllegalArgumentException("labelId must be >= 0, got " + labelId);
    }
    return new EncodedExample(inputIds, tokenTypeIds, labelId, Float.NaN);
  }

  /** A regression example with target {@code score}. */
  public static EncodedExample regression(int[] inputIds, int[] tokenTypeIds, float score) {
    return new EncodedExample(inputIds, tokenTypeIds, NO_LABEL, score);
  }

  /** An example without a target (prediction input). */
  public static EncodedExample unlabelled(int[] inputIds, int[] tokenTypeIds) {
    return new EncodedExample(inputIds, tokenTypeIds, NO_LABEL, Float.NaN);
  }

  /** Number of tokens. */
  public int length() {
    return inputIds.length;
  }
}
