package dev.jbert.tokenizer;

import java.util.Arrays;

/**
 * One model input: ids, token type ids, attention mask, token strings, and for each token the span
 * of text it came from. All arrays have {@link #length()} elements.
 *
 * <p>The getters return the encoding's own arrays, without copying, because encodings sit on the
 * data-loading hot path: treat them as read-only.
 *
 * <p>Offsets are UTF-16 indices into the Java string the token came from ({@code text.substring(
 * start, end)} is the token's text; Python's offsets count code points instead). For a pair,
 * {@link #sequenceIds()} tells which string. Special tokens added by the template and pads have
 * the span (0, 0) and sequence id -1; an {@code [UNK]} spans its whole word.
 */
public final class Encoding {

  private final int[] inputIds;
  private final int[] typeIds;
  private final int[] attentionMask;
  private final int[] sequenceIds;
  private final int[] starts;
  private final int[] ends;
  private final String[] tokens;

  Encoding(int[] inputIds, int[] typeIds, int[] attentionMask, int[] sequenceIds, int[] starts, int[] ends, String[] tokens) {
    int n = inputIds.length;
    if (typeIds.length != n || attentionMask.length != n || sequenceIds.length != n
        || starts.length != n || ends.length != n || tokens.length != n) {
      throw new IllegalArgumentException("Encoding: all arrays must have length " + n);
    }
    this.inputIds = inputIds;
    this.typeIds = typeIds;
    this.attentionMask = attentionMask;
    this.sequenceIds = sequenceIds;
    this.starts = starts;
    this.ends = ends;
    this.tokens = tokens;
  }

  /** The number of tokens, pads included. */
  public int length() {
    return inputIds.length;
  }

  /** Token ids ({@code input_ids}). */
  public int[] inputIds() {
    return inputIds;
  }

  /** Segment ids ({@code token_type_ids}): 0 for {@code [CLS] A [SEP]}, 1 for {@code B [SEP]}. */
  public int[] typeIds() {
    return typeIds;
  }

  /** 1 for real tokens, 0 for pads. */
  public int[] attentionMask() {
    return attentionMask;
  }

  /** Which input each token came from: 0 (text), 1 (pair), or -1 (template special token, pad). */
  public int[] sequenceIds() {
    return sequenceIds;
  }

  /** The token strings, e.g. {@code [CLS]}, {@code ref}, {@code ##und}. */
  public String[] tokens() {
    return tokens;
  }

  /** Start of each token's span in its input string (UTF-16 index, inclusive). */
  public int[] offsetStarts() {
    return starts;
  }

  /** End of each token's span in its input string (UTF-16 index, exclusive). */
  public int[] offsetEnds() {
    return ends;
  }

  /** A copy padded to {@code length} tokens on {@code side}; this encoding if already that long. */
  Encoding padded(int length, Side side, int padId, String padToken) {
    int n = inputIds.length;
    if (length <= n) {
      return this;
    }
    int at = side == Side.RIGHT ? 0 : length - n;
    return new Encoding(
        place(inputIds, length, at, padId),
        place(typeIds, length, at, 0),
        place(attentionMask, length, at, 0),
        place(sequenceIds, length, at, -1),
        place(starts, length, at, 0),
        place(ends, length, at, 0),
        placeTokens(length, at, padToken));
  }

  private static int[] place(int[] values, int length, int at, int fill) {
    int[] out = new int[length];
    Arrays.fill(out, fill);
    System.arraycopy(values, 0, out, at, values.length);
    return out;
  }

  private String[] placeTokens(int length, int at, String padToken) {
    String[] out = new String[length];
    Arrays.fill(out, padToken);
    System.arraycopy(tokens, 0, out, at, tokens.length);
    return out;
  }

  @Override
  public String toString() {
    return "Encoding" + Arrays.toString(tokens);
  }
}
