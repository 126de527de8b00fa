package dev.jbert.finetune.predict;

import java.util.List;

/**
 * The answer for one message.
 *
 * @param label the predicted class, or the hand-off label when the model was not sure enough
 * @param confidence probability of the most probable class
 * @param handedOff true when the answer is the hand-off label
 * @param topK the most probable classes, most probable first
 */
public record Prediction(String label, double confidence, boolean handedOff, List<ScoredLabel> topK) {

  public Prediction {
    topK = List.copyOf(topK);
  }
}
