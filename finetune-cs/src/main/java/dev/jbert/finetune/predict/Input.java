package dev.jbert.finetune.predict;

import java.util.List;
import java.util.Objects;

/**
 * What to ask a fine-tuned model: a message, and for models trained so, the candidate reply it is
 * paired with or the earlier turns of its conversation.
 *
 * <ul>
 *   <li>{@link #of(String)}: one message (intent, satisfaction score);
 *   <li>{@link #pair(String, String)}: (customer message, candidate reply), for reply-matching models;
 *   <li>{@link #inContext(String, List)}: a message with the earlier turns of the dialogue, oldest
 *       first, for models trained with a context column.
 * </ul>
 *
 * @param text the message; not blank
 * @param pair the candidate reply (segment B), or null
 * @param context earlier turns, oldest first; empty when there are none
 */
public record Input(String text, String pair, List<String> context) {

  public Input {
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      throw new IllegalArgumentException("text is empty");
    }
    if (pair != null && pair.isBlank()) {
      throw new IllegalArgumentException("the pair (candidate reply) is empty");
    }
    context = context == null ? List.of() : List.copyOf(context);
  }

  /** One message. */
  public static Input of(String text) {
    return new Input(text, null, List.of());
  }

  /** A customer message and a candidate reply. */
  public static Input pair(String text, String reply) {
    return new Input(text, Objects.requireNonNull(reply, "reply"), List.of());
  }

  /** A message with the earlier turns of its conversation, oldest first. */
  public static Input inContext(String text, List<String> earlierTurns) {
    return new Input(text, null, Objects.requireNonNull(earlierTurns, "earlierTurns"));
  }

  /** This input with earlier turns of the conversation, oldest first. */
  public Input withContext(List<String> earlierTurns) {
    return new Input(text, pair, earlierTurns);
  }
}
