package dev.jbert.finetune.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One training or evaluation example, before tokenization.
 *
 * <p>How the tokenizer turns it into BERT's two segments:
 *
 * <ul>
 *   <li>text only (intent, regression): {@code [CLS] text [SEP]};
 *   <li>with {@code pair} (reply appropriateness): {@code [CLS] context… text [SEP] pair [SEP]} — the
 *       customer side (earlier turns, then the message) is segment A, the candidate reply segment B;
 *   <li>with {@code context} and no pair (multi-turn classification): {@code [CLS] context [SEP] text
 *       [SEP]} — earlier turns are segment A, the current message segment B.
 * </ul>
 *
 * Earlier turns that do not fit are dropped oldest first (see {@code dev.jbert.finetune.encode.ContextPacker}).
 *
 * @param text the message to classify or score (never blank)
 * @param pair the second segment (a candidate reply), or null
 * @param context earlier turns of the conversation, oldest first; empty when there are none
 * @param label the class name for classification, or null
 * @param score the target for regression, or null; at most one of label and score is set, and neither
 *     is set for unlabelled examples (prediction input)
 * @param source the file the example came from
 * @param line physical 1-based line in {@code source} where its record starts
 */
public record Example(String text, String pair, List<String> context, String label, Double score, Path source, long line) {

  public Example {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(source, "source");
    context = context == null ? List.of() : List.copyOf(context);
    if (label != null && score != null) {
      throw new IllegalArgumentException(where(source, line) + ": an example has either a label or a score, not both");
    }
  }

  /** A single-text classification example. */
  public static Example labelled(String text, String label, Path source, long line) {
    return new Example(text, null, List.of(), label, null, source, line);
  }

  /** A single-text regression example. */
  public static Example scored(String text, double score, Path source, long line) {
    return new Example(text, null, List.of(), null, score, source, line);
  }

  /** True when the example has a second segment. */
  public boolean hasPair() {
    return pair != null;
  }

  /** True when the example has a numeric target. */
  public boolean isRegression() {
    return score != null;
  }

  /** True when the example has a label or a score. */
  public boolean isLabelled() {
    return label != null || score != null;
  }

  /** {@code file:line}, for messages. */
  public String where() {
    return where(source, line);
  }

  private static String where(Path source, long line) {
    return DataFileException.where(source, line);
  }
}
