package dev.jbert.finetune.model;

import java.util.Locale;

/**
 * What a fine-tuned model does with a message.
 *
 * <ul>
 *   <li>{@link #INTENT}: one message (with earlier turns as context, optionally) → one of N labels;
 *   <li>{@link #PAIR}: (customer message, candidate reply) → a label such as appropriate or not, the
 *       reply in segment B ({@code token_type_ids} 1);
 *   <li>{@link #REGRESSION}: message → a score, one output trained with MSE.
 * </ul>
 */
public enum Task {
  INTENT,
  PAIR,
  REGRESSION;

  /** The name used on the command line and in {@code config.json}: {@code intent}, {@code pair}, {@code regression}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the head predicts a score instead of classes. */
  public boolean isRegression() {
    return this == REGRESSION;
  }

  /** Hugging Face's {@code problem_type} for this task. */
  public String problemType() {
    return isRegression() ? "regression" : "single_label_classification";
  }

  /** The task named {@code id} ({@link #id()}); the error lists the names. */
  public static Task of(String id) {
    for (Task t : values()) {
      if (t.id().equals(id)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown task '" + id + "'; use intent, pair or regression");
  }
}
