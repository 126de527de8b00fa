package dev.jbert.finetune.predict;

import dev.jbert.finetune.model.HandOff;
import java.util.List;

/**
 * The answer for one message.
 *
 * @param label the predicted class, or the hand-off label when the model was not sure enough
 * @param score probability of the most probable class (Hugging Face's {@code score}), after the
 *     model's calibration temperature
 * @param handedOff true when the answer is the hand-off label
 * @param topK the most probable classes, most probable first
 */
public record Prediction(String label, double score, boolean handedOff, List<ScoredLabel> topK) {

  public Prediction {
    topK = List.copyOf(topK);
  }

  /**
   * The answer for ranked candidates ({@link TopK#of}, most probable first): the best label, or the
   * hand-off label when its probability is below the hand-off threshold.
   *
   * @param handOff the hand-off rule, or null to always answer the best label
   */
  public static Prediction of(List<ScoredLabel> ranked, HandOff handOff) {
    if (ranked.isEmpty()) {
      throw new IllegalArgumentException("no candidates");
    }
    return of(ranked, handOff, ranked.get(0).score());
  }

  /**
   * The answer for ranked candidates, handed off when {@code inScopeScore} (the hand-off detector's
   * score of the message) is below the hand-off threshold.
   */
  public static Prediction of(List<ScoredLabel> ranked, HandOff handOff, double inScopeScore) {
    if (ranked.isEmpty()) {
      throw new IllegalArgumentException("no candidates");
    }
    ScoredLabel best = ranked.get(0);
    boolean handedOff = handOff != null && handOff.handsOff(inScopeScore);
    return new Prediction(handedOff ? handOff.handOffLabel() : best.label(), best.score(), handedOff, ranked);
  }
}
