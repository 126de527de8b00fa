package dev.jbert.finetune.encode;

import dev.jbert.core.config.BertConfig;
import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.labels.LabelMap;
import dev.jbert.tokenizer.BertTokenizer;
import dev.jbert.tokenizer.EncodeOptions;
import dev.jbert.tokenizer.Encoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns {@link Example}s into token ids for the model, never longer than {@code maxLength} (special
 * tokens included).
 *
 * <ul>
 *   <li>text only: {@code [CLS] text [SEP]}, the text cut at the end when too long;
 *   <li>text and pair: {@code [CLS] text [SEP] pair [SEP]}, Hugging Face's {@code longest_first}
 *       truncation (one token at a time from the longer side, from the pair on a tie);
 *   <li>with a context segment ({@code contextSegment}), no pair: {@code [CLS] turn₁ [SEP] turn₂
 *       [SEP] text [SEP]}: earlier turns in segment A, the message in segment B. The message is cut
 *       first only if it alone does not fit; turns that do not fit are dropped oldest first
 *       ({@link ContextPacker});
 *   <li>with a context segment and a pair: {@code [CLS] turns… text [SEP] pair [SEP]}: text and pair
 *       are truncated {@code longest_first} as without context, then earlier turns fill what room is
 *       left in segment A, oldest dropped first.
 * </ul>
 *
 * Turns are separated by {@code [SEP]} inside segment A. An example without earlier turns in a
 * context-segment model gets an empty segment A ({@code [CLS] [SEP] text [SEP]}), so the message is
 * always segment B. Immutable and thread-safe (the tokenizer is).
 */
public final class TextEncoder {

  /** BERT's usual fine-tuning length, used unless the model allows less. */
  public static final int DEFAULT_MAX_LENGTH = 128;

  /** {@code [CLS]} and two {@code [SEP]}. */
  private static final int PAIR_SPECIALS = 3;

  private final BertTokenizer tokenizer;
  private final int maxLength;
  private final boolean contextSegment;

  /**
   * @param maxLength the limit in tokens, special tokens included; at least 4
   * @param contextSegment whether earlier turns go into segment A (see the class comment)
   */
  public TextEncoder(BertTokenizer tokenizer, int maxLength, boolean contextSegment) {
    if (maxLength < PAIR_SPECIALS + 1) {
      throw new IllegalArgumentException("max length must be at least " + (PAIR_SPECIALS + 1) + ", got " + maxLength);
    }
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
    this.contextSegment = contextSegment;
  }

  /**
   * {@value #DEFAULT_MAX_LENGTH}, or less when the model's position table or the tokenizer's
   * {@code model_max_length} is smaller.
   */
  public static int defaultMaxLength(BertConfig config, BertTokenizer tokenizer) {
    int max = Math.min(DEFAULT_MAX_LENGTH, config.maxPositionEmbeddings());
    return tokenizer.modelMaxLength().isPresent() ? Math.min(max, tokenizer.modelMaxLength().getAsInt()) : max;
  }

  /** The limit in tokens. */
  public int maxLength() {
    return maxLength;
  }

  /** The id that pads batches ({@code [PAD]}). */
  public int padId() {
    return tokenizer.padId();
  }

  /** Whether earlier turns go into segment A. */
  public boolean contextSegment() {
    return contextSegment;
  }

  /** The model input of one example, without a target. */
  public EncodedExample encodeInput(Example example) {
    if (!contextSegment && !example.context().isEmpty()) {
      throw new DataFileException(example.source(), example.line(),
          "the example has earlier turns but the model was trained without a context segment");
    }
    Encoding e;
    if (!contextSegment) {
      e = tokenizer.encode(example.text(), example.pair(), EncodeOptions.truncatedTo(maxLength));
    } else if (example.hasPair()) {
      e = contextAndPair(example);
    } else {
      e = contextThenMessage(example);
    }
    return EncodedExample.unlabelled(e.inputIds(), e.typeIds());
  }

  /**
   * The model input with its target: the class id from {@code labels}, or the score when {@code
   * labels} is null (regression).
   *
   * @throws DataFileException naming the example's file and line for a label the model does not
   *     have, a missing target, or a score that does not fit in a float
   */
  public EncodedExample encode(Example example, LabelMap labels) {
    EncodedExample input = encodeInput(example);
    if (labels != null) {
      return EncodedExample.classification(input.inputIds(), input.tokenTypeIds(), labels.id(example));
    }
    if (example.score() == null) {
      throw new DataFileException(example.source(), example.line(), "example has no score (regression needs one)");
    }
    float score = example.score().floatValue();
    if (!Float.isFinite(score)) {
      throw new DataFileException(example.source(), example.line(), "score " + example.score() + " does not fit in a float");
    }
    return EncodedExample.regression(input.inputIds(), input.tokenTypeIds(), score);
  }

  /** {@link #encode} of every example, in order; the first bad example stops it. */
  public List<EncodedExample> encodeAll(List<Example> examples, LabelMap labels) {
    List<EncodedExample> out = new ArrayList<>(examples.size());
    for (Example e : examples) {
      out.add(encode(e, labels));
    }
    return out;
  }

  /** {@link #encodeInput} of every example, in order. */
  public List<EncodedExample> encodeInputs(List<Example> examples) {
    List<EncodedExample> out = new ArrayList<>(examples.size());
    for (Example e : examples) {
      out.add(encodeInput(e));
    }
    return out;
  }

  /** Segment A: earlier turns; segment B: the message. */
  private Encoding contextThenMessage(Example example) {
    int[] message = tokenizer.tokenizeToIds(example.text());
    int budget = maxLength - PAIR_SPECIALS;
    if (message.length > budget) {
      message = Arrays.copyOf(message, budget); // right truncation, as Hugging Face does
    }
    int[] context = ContextPacker.pack(turnIds(example.context()), budget - message.length, tokenizer.sepId());
    return tokenizer.prepareForModel(context, message, EncodeOptions.DEFAULT);
  }

  /** Segment A: earlier turns, then the message; segment B: the pair. */
  private Encoding contextAndPair(Example example) {
    int[] text = tokenizer.tokenizeToIds(example.text());
    int[] pair = tokenizer.tokenizeToIds(example.pair());
    int budget = maxLength - PAIR_SPECIALS;
    int a = text.length;
    int b = pair.length;
    while (a + b > budget) { // longest_first: the longer side loses a token, the pair on a tie
      if (a > b) {
        a--;
      } else {
        b--;
      }
    }
    List<int[]> turns = turnIds(example.context());
    turns.add(Arrays.copyOf(text, a)); // the message is the newest turn: always kept
    int[] segmentA = ContextPacker.pack(turns, budget - b, tokenizer.sepId());
    return tokenizer.prepareForModel(segmentA, Arrays.copyOf(pair, b), EncodeOptions.DEFAULT);
  }

  private List<int[]> turnIds(List<String> turns) {
    List<int[]> ids = new ArrayList<>(turns.size() + 1);
    for (String turn : turns) {
      ids.add(tokenizer.tokenizeToIds(turn));
    }
    return ids;
  }
}
