package dev.jbert.finetune.fewshot;

import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.predict.Prediction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The pseudo-labelled examples of self-training: each unlabelled message the teacher classifies with a
 * top probability of at least the threshold becomes an example of the predicted label, keeping its
 * file and line. A message whose text is already a labelled example (or an earlier unlabelled line)
 * is skipped: a human's label wins over the teacher's, and a repeated text would count twice.
 */
public final class PseudoLabels {

  private PseudoLabels() {}

  /**
   * @param unlabelled the messages, in file order
   * @param predictions the teacher's answer for each message, in the same order (no hand-off)
   * @param threshold the least top probability that is kept
   * @param labelledTexts texts of the labelled examples
   */
  public static List<Example> select(List<Example> unlabelled, List<Prediction> predictions, double threshold,
      Set<String> labelledTexts) {
    if (predictions.size() != unlabelled.size()) {
      throw new IllegalArgumentException(predictions.size() + " predictions for " + unlabelled.size() + " messages");
    }
    Set<String> seen = new HashSet<>(labelledTexts);
    List<Example> kept = new ArrayList<>();
    for (int i = 0; i < unlabelled.size(); i++) {
      Example message = unlabelled.get(i);
      Prediction p = predictions.get(i);
      if (p.score() >= threshold && seen.add(message.text())) {
        kept.add(Example.labelled(message.text(), p.label(), message.source(), message.line()));
      }
    }
    return kept;
  }
}
