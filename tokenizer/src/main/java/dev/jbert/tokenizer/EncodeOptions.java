package dev.jbert.tokenizer;

/**
 * How {@link BertTokenizer} builds model inputs: special tokens, truncation and padding, with
 * Hugging Face's meaning. Immutable; start from {@link #DEFAULT} and use the {@code with...}
 * methods, e.g. {@code EncodeOptions.DEFAULT.withMaxLength(128).withPadding(PaddingStrategy.LONGEST)}.
 *
 * @param addSpecialTokens add the template's special tokens ({@code [CLS] A [SEP] B [SEP]})
 * @param maxLength the length limit, special tokens included, for truncation and for
 *     {@link PaddingStrategy#MAX_LENGTH}; 0 means none
 * @param truncation how to truncate to {@code maxLength}
 * @param truncationSide where truncation removes tokens
 * @param padding how to pad
 * @param padToMultipleOf round padded lengths up to a multiple of this; 0 means no rounding
 * @param paddingSide where pads go
 */
public record EncodeOptions(
    boolean addSpecialTokens,
    int maxLength,
    TruncationStrategy truncation,
    Side truncationSide,
    PaddingStrategy padding,
    int padToMultipleOf,
    Side paddingSide) {

  /**
   * Special tokens, no truncation, no padding: what {@code tokenizer(text)} does in Hugging Face
   * {@code transformers}.
   */
  public static final EncodeOptions DEFAULT =
      new EncodeOptions(true, 0, TruncationStrategy.NONE, Side.RIGHT, PaddingStrategy.NONE, 0, Side.RIGHT);

  /** Checks that the settings make sense together. */
  public EncodeOptions {
    if (truncation == null || truncationSide == null || padding == null || paddingSide == null) {
      throw new IllegalArgumentException("EncodeOptions: strategies and sides must not be null");
    }
    if (maxLength < 0) {
      throw new IllegalArgumentException("EncodeOptions: maxLength must be >= 0 (0 = none), got " + maxLength);
    }
    if (padToMultipleOf < 0) {
      throw new IllegalArgumentException("EncodeOptions: padToMultipleOf must be >= 0, got " + padToMultipleOf);
    }
    if (maxLength == 0 && truncation != TruncationStrategy.NONE) {
      throw new IllegalArgumentException("EncodeOptions: truncation " + truncation + " needs a maxLength");
    }
    if (maxLength == 0 && padding == PaddingStrategy.MAX_LENGTH) {
      throw new IllegalArgumentException("EncodeOptions: padding MAX_LENGTH needs a maxLength");
    }
  }

  /**
   * Truncation to {@code maxLength} with {@link TruncationStrategy#LONGEST_FIRST}, what
   * {@code truncation=True, max_length=n} means in Hugging Face.
   */
  public static EncodeOptions truncatedTo(int maxLength) {
    return DEFAULT.withMaxLength(maxLength).withTruncation(TruncationStrategy.LONGEST_FIRST);
  }

  public EncodeOptions withAddSpecialTokens(boolean add) {
    return new EncodeOptions(add, maxLength, truncation, truncationSide, padding, padToMultipleOf, paddingSide);
  }

  public EncodeOptions withMaxLength(int length) {
    return new EncodeOptions(addSpecialTokens, length, truncation, truncationSide, padding, padToMultipleOf, paddingSide);
  }

  public EncodeOptions withTruncation(TruncationStrategy strategy) {
    return new EncodeOptions(addSpecialTokens, maxLength, strategy, truncationSide, padding, padToMultipleOf, paddingSide);
  }

  public EncodeOptions withTruncationSide(Side side) {
    return new EncodeOptions(addSpecialTokens, maxLength, truncation, side, padding, padToMultipleOf, paddingSide);
  }

  public EncodeOptions withPadding(PaddingStrategy strategy) {
    return new EncodeOptions(addSpecialTokens, maxLength, truncation, truncationSide, strategy, padToMultipleOf, paddingSide);
  }

  public EncodeOptions withPadToMultipleOf(int multiple) {
    return new EncodeOptions(addSpecialTokens, maxLength, truncation, truncationSide, padding, multiple, paddingSide);
  }

  public EncodeOptions withPaddingSide(Side side) {
    return new EncodeOptions(addSpecialTokens, maxLength, truncation, truncationSide, padding, padToMultipleOf, side);
  }
}
